<?php
// Installs a fresh WordPress site into its own database and prints {"user", "app_password"} as JSON:
//   php install-site.php <site dir> <database> <site url> <user>
// The site dir holds a wp-config.php naming the database (see wordpress-site.ts).
[, $site, $database, $url, $user] = $argv;

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli('127.0.0.1', 'root', '', '', 3306);
$db->query('CREATE DATABASE `' . $db->real_escape_string($database) . '` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
$db->close();
mysqli_report(MYSQLI_REPORT_OFF);

define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = parse_url($url, PHP_URL_HOST) . ':' . parse_url($url, PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
require $site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// Pluggable: no "your new site" e-mail (this machine has no mail transport).
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

$installed = wp_install('Pressroom test site', $user, $user . '@example.test', false, '', wp_generate_password(24));
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
$wp_rewrite->flush_rules(false);

[$app_password] = WP_Application_Passwords::create_new_application_password($installed['user_id'], ['name' => 'pressroom-test']);
echo "\n", json_encode(['user' => $user, 'app_password' => $app_password]), "\n";
