-- Every change that can end a signed-in session is announced on 'docrpc_auth', whoever makes it (the app,
-- another API process, an operator in psql), so per-process session caches forget it at once.
-- Payloads: 's:<session id>', 'u:<user id>', or '*' (forget everything: a TRUNCATE).
CREATE FUNCTION "docrpc_notify_auth_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_notify('docrpc_auth', '*');
	ELSIF TG_TABLE_NAME = 'sessions' THEN
		PERFORM pg_notify('docrpc_auth', 's:' || OLD.id);
	ELSE
		PERFORM pg_notify('docrpc_auth', 'u:' || OLD.id);
	END IF;
	RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sessions_notify_auth_change" AFTER UPDATE OF "id", "user_id", "revoked_at", "expires_at" OR DELETE ON "sessions" FOR EACH ROW EXECUTE FUNCTION "docrpc_notify_auth_change"();--> statement-breakpoint
CREATE TRIGGER "sessions_notify_auth_truncate" AFTER TRUNCATE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION "docrpc_notify_auth_change"();--> statement-breakpoint
CREATE TRIGGER "users_notify_auth_change" AFTER UPDATE OF "id", "role", "disabled", "token_version" OR DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "docrpc_notify_auth_change"();--> statement-breakpoint
CREATE TRIGGER "users_notify_auth_truncate" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "docrpc_notify_auth_change"();
