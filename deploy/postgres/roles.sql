-- The gateway's PostgreSQL roles: one that owns the tables and runs the migrations, one that
-- serves with no more than reading and writing rows. Run it as a superuser, connected to the
-- gateway's (empty) database, after replacing both passwords:
--   psql -v ON_ERROR_STOP=1 -d gateway -f deploy/postgres/roles.sql
-- The serving role cannot create, alter or drop a table, so an attacker who found a way to
-- run SQL through it could still not change the schema or read other databases.
-- tests/system/test_deploy.py runs a gateway through these roles.

CREATE ROLE gateway_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE gateway_app LOGIN PASSWORD 'change-me-app' CONNECTION LIMIT 200;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO gateway_owner;
GRANT USAGE ON SCHEMA public TO gateway_app;

-- Tables and sequences the migrations create from now on are usable by the serving role.
ALTER DEFAULT PRIVILEGES FOR ROLE gateway_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gateway_app;
ALTER DEFAULT PRIVILEGES FOR ROLE gateway_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO gateway_app;
