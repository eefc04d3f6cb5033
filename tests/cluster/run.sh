#!/bin/sh
# The cluster run: redis-server, 3 replicas, nginx round-robin, 220 calls and a kill -9
# (tests/cluster/run_cluster.py says what it does and prints). Needs redis-server and nginx
# (Debian's), and the test extra (gradio_client, redis-py).
exec python "$(dirname "$0")/run_cluster.py" "$@"
