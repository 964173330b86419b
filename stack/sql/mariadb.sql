-- Databases and accounts of the MariaDB departments: socialcare, education.
-- Run by the mariadb client as root after the session variables @loader_password,
-- @socialcare_password and @education_password are set. Idempotent: `citizen-gateway stack up`
-- runs it on every start; docker-compose runs it once as an init script
-- (stack/sql/mariadb-init.sh).
--
-- council_loader has all privileges on the two department databases (citizen-gateway seed);
-- <dept>_reader may SELECT in its own department's database only. A database-level grant
-- covers tables the loader creates later. council_linker (citizen-gateway link) is granted the
-- identifying columns from the contract after seeding (stack/seed.py).

CREATE DATABASE IF NOT EXISTS socialcare CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS education CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Anonymous accounts would shadow the named ones for local connections.
DROP USER IF EXISTS ''@'localhost';

CREATE USER IF NOT EXISTS 'council_loader'@'%';
CREATE USER IF NOT EXISTS 'socialcare_reader'@'%';
CREATE USER IF NOT EXISTS 'education_reader'@'%';
CREATE USER IF NOT EXISTS 'council_linker'@'%';

SET @statement = CONCAT('ALTER USER ''council_loader''@''%'' IDENTIFIED BY ', QUOTE(@loader_password));
PREPARE statement FROM @statement;
EXECUTE statement;
SET @statement = CONCAT('ALTER USER ''council_linker''@''%'' IDENTIFIED BY ', QUOTE(@linker_password));
PREPARE statement FROM @statement;
EXECUTE statement;
SET @statement = CONCAT('ALTER USER ''socialcare_reader''@''%'' IDENTIFIED BY ', QUOTE(@socialcare_password));
PREPARE statement FROM @statement;
EXECUTE statement;
SET @statement = CONCAT('ALTER USER ''education_reader''@''%'' IDENTIFIED BY ', QUOTE(@education_password));
PREPARE statement FROM @statement;
EXECUTE statement;
DEALLOCATE PREPARE statement;

GRANT ALL PRIVILEGES ON socialcare.* TO 'council_loader'@'%';
GRANT ALL PRIVILEGES ON education.* TO 'council_loader'@'%';
GRANT SELECT ON socialcare.* TO 'socialcare_reader'@'%';
GRANT SELECT ON education.* TO 'education_reader'@'%';
FLUSH PRIVILEGES;
