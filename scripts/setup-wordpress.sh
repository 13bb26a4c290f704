#!/usr/bin/env bash
# Makes the machine ready for the publisher's real-WordPress test (services/publisher/test/component/
# publish-wordpress-real.test.ts): WordPress, its default theme, PHP's command line and its MySQL driver from
# Debian's packages, and MariaDB answering on 127.0.0.1:3306 as root without a password (as on the development
# and CI machines). Installs only what is missing; anything it cannot provide fails the run with a message
# that says what to do. It never skips. Idempotent: a second run only checks.
#
#   bash scripts/setup-wordpress.sh
set -euo pipefail

readonly PACKAGES=(wordpress wordpress-theme-twentytwentythree php-cli php-mysql)
readonly WORDPRESS_ROOT=/usr/share/wordpress
readonly MARIADB_WAIT_SECONDS="${PRESSROOM_MARIADB_WAIT:-30}"

log() { printf '[setup-wordpress] %s\n' "$*"; }
die() {
  printf '[setup-wordpress] ERROR: %s\n' "$*" >&2
  exit 1
}

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    log "packages already installed: ${PACKAGES[*]}"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them (a Debian machine is expected)"
  ((EUID == 0)) || die "missing packages ${missing[*]}; run this script as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  log "installing ${missing[*]}"
  # The machine starts no services from packages (policy-rc.d), so the web server WordPress pulls in stays stopped.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed (see above)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed (see above)"
}

check_php() {
  command -v php >/dev/null 2>&1 || die "php is not on PATH after installing php-cli"
  php -r 'exit(class_exists("mysqli") ? 0 : 1);' || die "PHP has no mysqli extension (package php-mysql); WordPress cannot reach MariaDB"
  [[ -f "$WORDPRESS_ROOT/wp-settings.php" ]] || die "$WORDPRESS_ROOT/wp-settings.php is missing although the wordpress package is installed"
  [[ -d "$WORDPRESS_ROOT/wp-content/themes/twentytwentythree" ]] || die "the twentytwentythree theme is missing from $WORDPRESS_ROOT/wp-content/themes"
  log "$(php -r 'echo "PHP ", PHP_VERSION;'), WordPress $(php -r "include '$WORDPRESS_ROOT/wp-includes/version.php'; echo \$wp_version;") in $WORDPRESS_ROOT"
}

mariadb_answers() {
  php -r 'mysqli_report(MYSQLI_REPORT_OFF); $m = @new mysqli("127.0.0.1", "root", "", "", 3306); exit($m->connect_errno ? 1 : 0);' 2>/dev/null
}

ensure_mariadb() {
  if mariadb_answers; then
    log "MariaDB answers on 127.0.0.1:3306 as root"
    return
  fi
  [[ -x /usr/sbin/mariadbd ]] || die "MariaDB does not answer on 127.0.0.1:3306 and /usr/sbin/mariadbd is missing (package mariadb-server)"
  log "MariaDB does not answer; starting mariadbd"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ||
    log "start-stop-daemon exited non-zero; waiting to see whether the server answers anyway"
  local deadline=$((SECONDS + MARIADB_WAIT_SECONDS))
  until mariadb_answers; do
    ((SECONDS < deadline)) || die "MariaDB did not answer on 127.0.0.1:3306 as root without a password within ${MARIADB_WAIT_SECONDS}s (see /var/log/mysql/)"
    sleep 1
  done
  log "MariaDB answers on 127.0.0.1:3306"
}

install_packages
check_php
ensure_mariadb
