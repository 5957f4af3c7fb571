"""The seccomp filter of a sandboxed child (pyseccomp, i.e. libseccomp).

Default action: allow. Denied with EPERM: networking, new processes and programs, debugging and
signalling other processes, every way to create, change or remove files, mounts, identity changes,
kernel facilities that bypass the filter (io_uring, bpf, ...). ``deny_open`` also denies opening any
file, even for reading: the child opens and maps its frames before the filter goes on.

``clone3`` and ``openat2`` return ENOSYS, so glibc falls back to ``clone`` (checked for
``CLONE_THREAD``: threads yes, processes no) and ``openat``. System calls of another architecture
(e.g. 32-bit ``int 0x80``) kill the process (libseccomp's default for a foreign architecture).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable

import pyseccomp as seccomp

CLONE_THREAD = 0x00010000
PR_SET_PDEATHSIG = 1
# Open flags that create, truncate or write.
WRITE_FLAGS = (os.O_WRONLY, os.O_RDWR, os.O_CREAT, os.O_TRUNC, os.O_APPEND)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NETWORK = _names("socket socketpair connect bind listen accept accept4 sendto sendmsg sendmmsg")
PROCESSES = _names(
    """
    fork vfork execve execveat ptrace process_vm_readv process_vm_writev pidfd_open pidfd_getfd
    pidfd_send_signal tkill unshare setns kcmp
    """
)
FILES = _names(
    """
    creat unlink unlinkat rename renameat renameat2 mkdir mkdirat rmdir symlink symlinkat link
    linkat chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat truncate ftruncate mknod
    mknodat utime utimes utimensat futimesat setxattr lsetxattr fsetxattr removexattr lremovexattr
    fremovexattr open_by_handle_at name_to_handle_at fallocate memfd_create
    """
)
SYSTEM = _names(
    """
    mount umount2 pivot_root chroot fsopen fsmount fsconfig fspick move_mount open_tree
    mount_setattr setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid setgroups
    capset io_uring_setup io_uring_enter io_uring_register bpf perf_event_open userfaultfd keyctl
    add_key request_key init_module finit_module delete_module kexec_load kexec_file_load reboot
    swapon swapoff sethostname setdomainname acct quotactl syslog fanotify_init personality
    """
)


def install(*, deny_open: bool) -> None:
    """Load the filter into this process (all threads); afterwards it cannot be removed."""
    syscall_filter = build(os.getpid(), deny_open=deny_open)
    syscall_filter.load()


def build(own_pid: int, *, deny_open: bool) -> seccomp.SyscallFilter:
    """The filter for the process ``own_pid`` (not loaded)."""
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.CTL_NNP, 1)
    rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    eperm = seccomp.ERRNO(errno.EPERM)
    _deny(rules, eperm, NETWORK + PROCESSES + FILES + SYSTEM)
    _deny(rules, seccomp.ERRNO(errno.ENOSYS), ("clone3", "openat2"))
    rules.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    # Signals only to this process (pid argument) or its own threads (tgid argument).
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        rules.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, own_pid))
    # The child must keep dying with the zygote.
    rules.add_rule(eperm, "prctl", seccomp.Arg(0, seccomp.EQ, PR_SET_PDEATHSIG))
    if deny_open:
        _deny(rules, eperm, ("open", "openat"))
    else:
        for flag in WRITE_FLAGS:
            rules.add_rule(eperm, "open", seccomp.Arg(1, seccomp.MASKED_EQ, flag, flag))
            rules.add_rule(eperm, "openat", seccomp.Arg(2, seccomp.MASKED_EQ, flag, flag))
    return rules


def _deny(rules: seccomp.SyscallFilter, action: int, names: Iterable[str]) -> None:
    for name in names:
        if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) < 0:
            continue  # not a system call on this architecture or libseccomp version
        rules.add_rule(action, name)
