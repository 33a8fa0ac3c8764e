"""What the database decides, not the caller.

- The audit trail's who and when: a row added through the application role gets the
  transaction's signed user (kra_platform/rls.py) as its actor and the transaction's time as
  its time, whatever the statement said.
- Platform staff flags: the application role cannot make an account staff or superuser
  (an injected statement could otherwise promote its own account and open the admin).

Only the maintenance role (operator commands) keeps what it writes."""

from django.db import migrations

STAMP = """
CREATE OR REPLACE FUNCTION orgs_auditevent_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
        NEW.actor_id := kra_user_id();
        NEW.created_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE INSERT ON orgs_auditevent
FOR EACH ROW EXECUTE FUNCTION orgs_auditevent_stamp();

CREATE OR REPLACE FUNCTION orgs_user_staff_flags() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
    END IF;
    IF (TG_OP = 'INSERT' AND (NEW.is_staff OR NEW.is_superuser))
       OR (TG_OP = 'UPDATE' AND (NEW.is_staff IS DISTINCT FROM OLD.is_staff
                                 OR NEW.is_superuser IS DISTINCT FROM OLD.is_superuser)) THEN
        RAISE EXCEPTION 'staff and superuser flags are set by operators only'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER staff_flags BEFORE INSERT OR UPDATE ON orgs_user
FOR EACH ROW EXECUTE FUNCTION orgs_user_staff_flags();
"""

UNSTAMP = """
DROP TRIGGER IF EXISTS staff_flags ON orgs_user;
DROP FUNCTION IF EXISTS orgs_user_staff_flags();
DROP TRIGGER IF EXISTS stamp ON orgs_auditevent;
DROP FUNCTION IF EXISTS orgs_auditevent_stamp();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0007_sessions_out_of_database_reach"),
    ]

    operations = [migrations.RunSQL(STAMP, UNSTAMP)]
