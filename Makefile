# The two commands of the README.
.PHONY: run test

run:  ## install, migrate, seed demo data and serve on SQLite with in-process Celery
	bash scripts/run.sh

test:  ## install test needs, make sure PostgreSQL and Redis are up, run the whole suite
	bash scripts/test.sh
