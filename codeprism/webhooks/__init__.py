"""The host-independent core of the webhook path, imported by the Serve ingress and orchestrator.

- `signature`: is this request really from GitHub / GitLab (HMAC-SHA256, shared token)?
- `payload`: is the body JSON we can walk safely (bounded nesting, UTF-8, finite numbers)?
- `events`: does this event start a review, and of what (`Decision`, `ReviewTarget`)?
- `inbox`: the durable SQLite record of accepted events, the review queue with leases, and
  the counters behind `/metrics`.

Nothing here imports Ray or a web framework: the rules are tested without a cluster.
"""
