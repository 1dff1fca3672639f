"""The CRI benchmark (hack/cri-test bench [PODS]): pods through containerd's CRI plugin, a Wasm
container on mewz-runtime (handler "mewz") against the same program built natively (static
glibc) in a runc container (handler "runc"), side by side in one run:

- pod start to container running: RunPodSandbox, CreateContainer, StartContainer returned
  (the container's process is running), for the hello program;
- PODS pods (default 50) created and removed in a row: the above, then waiting for the
  container to exit, StopPodSandbox and RemovePodSandbox; in rounds of PODS/5 with the peers'
  order swapped every round, so passing load falls on both;
- memory per running pod: 10 pods each with one idle container (the Wasm sysprobe sleeping,
  busybox sleep natively), proportional set size (PSS) of the container's process, of the pod's
  pause process and of its containerd shim.

Prints medians and ratios (never assertions).
"""
import os
import statistics
import sys
import time

from harness import World

PEERS = {
    "mewz": dict(handler="mewz", hello=("mewz-hello", [], []), idle=("mewz-sysprobe", [], ["sleep-forever"])),
    "runc": dict(handler="runc", hello=("native-hello", [], []), idle=("native-hello", ["/busybox"], ["sleep", "3600"])),
}
LABELS = {"mewz": "Wasm on mewz-runtime", "runc": "native on runc"}


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def shim_pid(sandbox_id):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                argv = file.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"containerd-shim-runc-v2") and sandbox_id.encode() in argv:
            return int(entry)
    return None


def start_pod(world, peer, kind, index):
    """RunPodSandbox, CreateContainer, StartContainer; returns (sandbox id, container id,
    seconds from the first call to StartContainer's return, seconds of that in the container's
    CreateContainer and StartContainer)."""
    image, command, args = PEERS[peer][kind]
    config = world.sandbox_config(f"bench-{peer}-{kind}-{index}")
    started = time.perf_counter()
    sandbox = world.run_sandbox(config, PEERS[peer]["handler"])
    sandbox_ready = time.perf_counter()
    container = world.create_container(sandbox, config, world.container_config(
        "app", world.images[image], command=command, args=args))
    world.start_container(container)
    running = time.perf_counter()
    return sandbox, container, running - started, running - sandbox_ready


def pods_in_a_row(world, pods):
    start_times = {peer: [] for peer in PEERS}
    container_times = {peer: [] for peer in PEERS}
    cycle_times = {peer: [] for peer in PEERS}
    per_round = max(1, pods // 5)
    for round_index in range(5):
        order = list(PEERS) if round_index % 2 == 0 else list(reversed(PEERS))
        for peer in order:
            for i in range(per_round):
                began = time.perf_counter()
                sandbox, container, to_running, container_part = start_pod(world, peer, "hello", f"{round_index}-{i}")
                status = world.wait_exited(container)
                if status.exit_code != 0:
                    sys.exit(f"cri bench: {peer} hello exited {status.exit_code}")
                world.remove_sandbox(sandbox)
                start_times[peer].append(to_running)
                container_times[peer].append(container_part)
                cycle_times[peer].append(time.perf_counter() - began)
    return start_times, container_times, cycle_times


def memory_per_pod(world, count=10):
    pods = {peer: [] for peer in PEERS}
    for i in range(count):
        for peer in PEERS:
            sandbox, container, _, _ = start_pod(world, peer, "idle", f"mem-{i}")
            pods[peer].append((sandbox, container))
    time.sleep(2)  # past start-up: the idle footprint
    result = {}
    for peer, entries in pods.items():
        container_kib, pause_kib, shim_kib = [], [], []
        for sandbox, container in entries:
            container_kib.append(pss_kib(world.container_pid(container)))
            pause_kib.append(pss_kib(world.sandbox_pid(sandbox)))
            shim = shim_pid(sandbox)
            shim_kib.append(pss_kib(shim) if shim else 0)
        result[peer] = (statistics.mean(container_kib), statistics.mean(pause_kib), statistics.mean(shim_kib))
    for entries in pods.values():
        for sandbox, _ in entries:
            world.remove_sandbox(sandbox)
    return result


def main():
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    binary = os.environ["MEWZ_RUNTIME_BIN"]
    world = World(binary, with_native=True)
    try:
        for image in ("mewz-sysprobe", "native-hello"):
            world.pull(image)
        print(f"+ warm-up: one pod each (mewz-runtime compiles its images into the cache)", file=sys.stderr)
        for peer in PEERS:
            sandbox, container, _, _ = start_pod(world, peer, "hello", "warmup")
            world.wait_exited(container)
            world.remove_sandbox(sandbox)
        print(f"+ {pods} pods per peer, created and removed in a row (5 rounds)", file=sys.stderr)
        start_times, container_times, cycle_times = pods_in_a_row(world, pods)
        print("+ memory: 10 running pods per peer", file=sys.stderr)
        memory = memory_per_pod(world)
    finally:
        world.stop()

    median_ms = lambda times: statistics.median(times) * 1000
    runc_start, runc_container = median_ms(start_times["runc"]), median_ms(container_times["runc"])
    runc_total = sum(cycle_times["runc"])
    print(f"{'peer':22} {'pods':>5} {'start->running ms':>18} {'x runc':>7} {'of it create+start ms':>22} "
          f"{'x runc':>7} {'pods in a row s':>16} {'x runc':>7}")
    rows = {}
    for peer in PEERS:
        start, container, total = median_ms(start_times[peer]), median_ms(container_times[peer]), sum(cycle_times[peer])
        rows[peer] = (start, container, total)
        print(f"{LABELS[peer]:22} {len(start_times[peer]):5d} {start:18.1f} {start / runc_start:7.2f} "
              f"{container:22.1f} {container / runc_container:7.2f} {total:16.2f} {total / runc_total:7.2f}")
    print(f"\n{'peer (10 idle pods)':22} {'container PSS MiB':>18} {'pause PSS MiB':>14} {'shim PSS MiB':>13} "
          f"{'pod MiB':>8}")
    for peer in PEERS:
        container, pause, shim = (kib / 1024 for kib in memory[peer])
        print(f"{LABELS[peer]:22} {container:18.2f} {pause:14.2f} {shim:13.2f} {container + pause + shim:8.2f}")
    for peer in PEERS:
        start, container_ms, total = rows[peer]
        container, pause, shim = (kib / 1024 for kib in memory[peer])
        print(f"bench cri {peer} start_to_running_ms={start:.1f} ratio_vs_runc={start / runc_start:.3f} "
              f"create_start_ms={container_ms:.1f} ratio_vs_runc={container_ms / runc_container:.3f} "
              f"pods_in_a_row_s={total:.2f} pods={len(cycle_times[peer])} ratio_vs_runc={total / runc_total:.3f} "
              f"pod_pss_mib={container + pause + shim:.2f} container_pss_mib={container:.2f}")


if __name__ == "__main__":
    main()
