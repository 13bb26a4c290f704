<?php
// Drops a test site's database: php drop-site.php <database>
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli('127.0.0.1', 'root', '', '', 3306);
$db->query('DROP DATABASE IF EXISTS `' . $db->real_escape_string($argv[1]) . '`');
