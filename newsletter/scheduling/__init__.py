"""When things happen: scheduling approved issues, leases so one worker runs a send, the
long-running worker and its heartbeat, and the status report of what is scheduled, sending,
missed or failing. The database is the source of truth; the scheduler only wakes things up.

May import: every capability below it (core to delivery). Never web or cli.
"""
