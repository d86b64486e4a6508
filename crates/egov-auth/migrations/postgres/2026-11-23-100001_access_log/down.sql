DROP TABLE auth_access_log_checkpoints;
DROP TABLE auth_access_log_head;
DROP TABLE auth_access_log;
