-- The escalation ladder: how far up an overdue case has gone (0: not escalated; when is in
-- its `escalate` events).
ALTER TABLE petition_cases ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
CREATE INDEX petition_cases_escalation ON petition_cases (escalation_level, due_at);
-- The compliance report: when the case was first answered (decided, or closed without a
-- decision), filled from the history for existing cases.
ALTER TABLE petition_cases ADD COLUMN answered_at TIMESTAMP;
UPDATE petition_cases SET answered_at = (SELECT MIN(e.at) FROM petition_events e
  WHERE e.case_id = petition_cases.id AND e.action IN ('decide', 'close'));
CREATE INDEX petition_cases_compliance ON petition_cases (agency, submitted_at);
CREATE INDEX petition_events_action ON petition_events (action, case_id);
