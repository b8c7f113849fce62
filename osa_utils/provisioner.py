"""The kernel provisioner of the venv's ``python3`` kernel: the stock ipykernel, over Unix sockets.

papermill, nbclient and JupyterLab's server read no Jupyter configuration for the kernel's
transport, but every one of them starts a kernel through its kernelspec's provisioner. The
Makefile's install step names this one in the venv's ``python3`` kernelspec
(``.venv/share/jupyter/kernels/python3/kernel.json``, ``metadata.kernel_provisioner``; see
:func:`install`), so a kernel started from this venv by any client talks over IPC sockets in a
private folder (:func:`osa_utils.batch.kernel.ipc_folder`, the build's): no ports to race for, and no
"Kernel is running over TCP without encryption" warning. The kernel itself is unchanged (same
argv, same ``ipykernel_launcher``). Where IPC cannot work (Windows, a too long ``$TMPDIR``) or
the client configured the transport or address itself, the kernel runs over TCP as before.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from .batch import kernel

#: The entry point name (group ``jupyter_client.kernel_provisioners``, pyproject.toml).
NAME = "osa-ipc-provisioner"


def _configured(km, name: str) -> bool:
    """Whether the client's configuration sets *name* of the KernelManager (e.g. the build's IPC
    options, or a TCP address chosen on purpose): then it is left as configured."""
    for cls in type(km).__mro__:
        section = dict.get(km.config, cls.__name__)
        if section is not None and name in section:
            return True
    return False


class IPCProvisioner(LocalProvisioner):
    """:class:`LocalProvisioner` with the kernel's sockets in a private folder, removed at the end."""

    ipc_folder: str | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        if (
            km is not None
            and self.ipc_folder is None
            and km.transport == "tcp"
            and not _configured(km, "transport")
            and not _configured(km, "ip")
        ):
            folder = kernel.ipc_folder()
            if folder is not None:
                self.ipc_folder = folder
                km.transport = "ipc"
                km.ip = os.path.join(folder, "ipc")
                km.cache_ports = False  # TCP ports only
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """The stock launch, or, for the tool's own runs (a kernel manager with ``warm_fork``, see
        :mod:`osa_utils.batch.warmkernel`), the kernel forked from this warm process where it can be."""
        if getattr(self.parent, "warm_fork", False):
            from .batch import warmkernel

            if warmkernel.can_fork(cmd, kwargs.get("env")):
                process = warmkernel.fork_kernel(cmd, kwargs.get("env"), kwargs.get("cwd"))
                self.process = process  # type: ignore[assignment]  # what the provisioner uses of a Popen
                self.pid = self.pgid = process.pid  # its own session: its group is its pid
                self.cwd = kwargs.get("cwd", os.getcwd())
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart and self.ipc_folder:  # the KernelManager removed the sockets; the folder goes too
            shutil.rmtree(self.ipc_folder, ignore_errors=True)
            self.ipc_folder = None


def kernelspec_file(prefix: str | None = None) -> Path:
    """The ``python3`` kernelspec of the environment *prefix* (default: this Python's)."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"


def install(prefix: str | None = None) -> Path:
    """Name :class:`IPCProvisioner` in the environment's ``python3`` kernelspec (the one ipykernel
    installs there; written with ``ipykernel install --sys-prefix`` first if missing). Only
    ``metadata.kernel_provisioner`` is added: argv and everything else stay ipykernel's."""
    path = kernelspec_file(prefix)
    if not path.is_file():
        from ipykernel.kernelspec import install as install_kernelspec

        install_kernelspec(prefix=prefix or sys.prefix)
    spec = json.loads(path.read_text(encoding="utf-8"))
    metadata = spec.setdefault("metadata", {})
    if metadata.get("kernel_provisioner") != {"provisioner_name": NAME}:
        metadata["kernel_provisioner"] = {"provisioner_name": NAME}
        path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # the Makefile's install step: python -m osa_utils.provisioner
    print(f"kernel provisioner {NAME} named in {install()}")
