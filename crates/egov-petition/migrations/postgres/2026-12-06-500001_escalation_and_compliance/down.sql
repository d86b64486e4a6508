DROP INDEX petition_events_action;
DROP INDEX petition_cases_compliance;
ALTER TABLE petition_cases DROP COLUMN answered_at;
DROP INDEX petition_cases_escalation;
ALTER TABLE petition_cases DROP COLUMN escalation_level;
