"""Watchlists, alerts, webhooks, digests and the live stream: what tells a user of changes. Every
notice is a read: visibility is checked when it is shown or delivered, not only when raised."""
