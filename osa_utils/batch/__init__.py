"""The batch build's parts, one job a module; ``osa_utils.build`` conducts them.

* :mod:`.plan`: which notebooks run with which parameters, every value checked before any kernel starts.
* :mod:`.cache`: content hashes, cache keys and entries, what a notebook read.
* :mod:`.kernel`: the kernel's transport and :func:`.kernel.run_notebook`, the one notebook runner.
* :mod:`.warmkernel`: kernels forked from the warm worker instead of started afresh (Linux).
* :mod:`.workers`: the worker processes, their watch on the build, and their cleanup.
* :mod:`.progress`: the progress display and the summary line.
* :mod:`.results`: what a build returns.
"""
