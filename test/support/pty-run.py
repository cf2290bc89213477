"""Runs a command under a pseudo-terminal, as an operator's terminal would, for the interrupt tests.

    python3 pty-run.py <trigger> <INT|TERM> -- <command> [args...]

Reads everything the command writes to the terminal. Once the output contains <trigger>, it
interrupts the command: INT types Ctrl-C on the terminal (the line discipline sends SIGINT to the
foreground process, as a keyboard would), TERM sends SIGTERM to the process. Prints one JSON object:
the exit code (a signal as 128 + its number), the output as bytes decoded UTF-8, and whether the
trigger was seen. A command still running after 600 s is killed.
"""
import json
import os
import pty
import select
import signal
import sys
import time

trigger, how, sep, *command = sys.argv[1:]
assert sep == '--' and how in ('INT', 'TERM') and command
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

output = b''
seen = False
deadline = time.monotonic() + 600
while True:
    if time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the command closed the terminal (it ended)
            break
        if not chunk:
            break
        output += chunk
    if not seen and trigger.encode() in output:
        seen = True
        if how == 'INT':
            os.write(fd, b'\x03')
        else:
            os.kill(pid, signal.SIGTERM)

_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
print(json.dumps({'code': code, 'output': output.decode('utf-8', 'replace'), 'triggered': seen}))
