"""The local system `make run` starts: the stack, the web server (pages, mailbox, console) and
the demo."""
