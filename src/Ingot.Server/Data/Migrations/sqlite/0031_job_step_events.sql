-- A job.step event each time a step starts, waits, or ends (not when a retry resets it to pending, nor when a cancel
-- sweeps it: job.retrying and job.cancelled say those). Written by a trigger so that the step's one-statement update
-- (its write lock held for that statement only) writes its event in the same statement's transaction. Its time is the
-- step's own (started_at or ended_at, from the server's clock), else the database's.
CREATE TRIGGER job_steps_event AFTER UPDATE OF status ON job_steps
WHEN NEW.status <> OLD.status AND NEW.status NOT IN ('pending', 'cancelled')
BEGIN
    INSERT INTO events (type, version, subject, data, at, machine_id, batch_id, team, user_name)
    SELECT 'job.step', 1, 'job:' || j.id,
           json_object('job_id', j.id, 'action', j.action, 'step', NEW.name, 'position', NEW.position, 'status', NEW.status,
                       'attempt', NEW.attempt, 'message', NEW.message, 'machine_id', j.machine_id, 'batch_id', j.batch_id, 'user', j.user_name),
           CASE WHEN NEW.status IN ('succeeded', 'failed', 'skipped') AND NEW.ended_at IS NOT NULL THEN NEW.ended_at
                WHEN NEW.status = 'running' AND NEW.started_at IS NOT NULL THEN NEW.started_at
                ELSE strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z' END,
           j.machine_id, j.batch_id,
           (SELECT ot.name FROM machines om JOIN roles orl ON orl.id = om.role_id JOIN teams ot ON ot.id = orl.team_id WHERE om.id = j.machine_id),
           j.user_name
    FROM jobs j WHERE j.id = NEW.job_id;
END;
