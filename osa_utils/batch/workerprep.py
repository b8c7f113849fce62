"""What every build worker needs, imported and warmed up once by the build's fork server (Linux)
before it forks the workers, so that a worker starts in milliseconds instead of importing papermill
and nbconvert again (about 2 s of CPU per worker and build) and compiling nbconvert's templates and
patterns at its first notebook (about 0.5 s more); and what the kernels import (ipykernel, pandas,
matplotlib, osa_utils: :func:`osa_utils.batch.warmkernel.preload`), so that each notebook's kernel
is forked from its worker instead of starting a fresh interpreter. See ``osa_utils.batch.workers._pool_context``.

Its imports come after the signal set-up on purpose (the E402 exceptions below)."""

import contextlib
import signal

# In the fork server: Ctrl-C is the build's to handle (it stops the workers). The server was started
# with SIGINT blocked (osa_utils.batch.workers._start_fork_server): ignore it, which drops one sent meanwhile,
# then unblock it, so that the workers and their kernels start with the usual signal mask.
signal.signal(signal.SIGINT, signal.SIG_IGN)
if hasattr(signal, "pthread_sigmask"):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

from . import warmkernel  # noqa: E402  (standard library only)

warmkernel.note_fresh_state()  # before the imports below can add warnings filters

from ..importtime import skip_rfc3987_grammar  # noqa: E402

skip_rfc3987_grammar()

import papermill  # noqa: E402,F401
from nbconvert import HTMLExporter  # noqa: E402,F401

from .. import pages  # noqa: E402
from . import kernel  # noqa: E402,F401  (what run_notebook needs besides papermill)

warmkernel.preload()  # the kernels' imports, for kernels forked from the workers

with contextlib.suppress(Exception):  # only a speed-up: a worker's first notebook compiles what it needs
    pages.warm_up()
