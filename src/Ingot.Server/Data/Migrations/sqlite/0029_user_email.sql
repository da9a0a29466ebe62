-- A user's e-mail address, and when it was set: the default subscription (DefaultSubscriptions) sends the user's own
-- batches and requests there from that moment on. At most one default subscription per user.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_set_at TEXT;
CREATE UNIQUE INDEX subscriptions_default ON subscriptions (user_id) WHERE is_default = 1;
