"""The reminder daemon: the loop, notifications, what was sent, file watching, the systemd unit, its log."""
