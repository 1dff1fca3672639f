"""Kubernetes through CRI: containerd's CRI plugin, configured by oci/containerd/config.toml,
driving the built mewz-runtime through the runtime handler "mewz", as a kubelet would: pod
sandboxes, Wasm containers, their logs, statuses, restarts, stops and limits; images imported
and pulled from a registry on loopback. Run by hack/cri-test (which generates the gRPC stubs);
needs root, /dev/kvm and what hack/install-deps installs.
"""
import json
import os
import re
import time
import unittest

import tomllib

import grpc
import yaml

import api_pb2 as api
from harness import REPO, World, wait_for

BINARY = os.environ.get("MEWZ_RUNTIME_BIN", "")
WORLD = None

# One CRI log line: RFC 3339 time, stream, P (partial) or F (full), the text.
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF]) (.*)$")


def setUpModule():
    global WORLD
    if not BINARY or not os.access(BINARY, os.X_OK):
        raise RuntimeError("MEWZ_RUNTIME_BIN does not name the built mewz-runtime (run hack/cri-test)")
    WORLD = World(BINARY)
    # Most tests run the sysprobe image: pulled from the registry once, as a kubelet would.
    WORLD.pull("mewz-sysprobe")


def tearDownModule():
    if WORLD is not None:
        WORLD.stop()


def read_log(path):
    """The CRI log's lines as (stream, tag, text), every line checked against the format."""
    entries = []
    with open(path) as log:
        text = log.read()
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if match is None:
            raise AssertionError(f"not a CRI log line: {line!r}")
        entries.append((match.group(4), match.group(5), match.group(6)))
    return entries


def quantity(value, cpu=False):
    """A Kubernetes resource quantity: memory in bytes, CPU in millicores."""
    value = str(value)
    if cpu:
        return int(value[:-1]) if value.endswith("m") else int(float(value) * 1000)
    for suffix, factor in (("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)):
        if value.endswith(suffix):
            return int(value[:-2]) * factor
    return int(value)


def text(path):
    with open(path, "rb") as file:
        return file.read().decode(errors="replace")


def netns(pid):
    return os.readlink(f"/proc/{pid}/ns/net")


def cgroup_file(pid, controller, name):
    """A cgroup v1 file of `controller` for the process `pid`."""
    for line in text(f"/proc/{pid}/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            for mount in (controllers, controller):
                candidate = f"/sys/fs/cgroup/{mount}{path}/{name}"
                if os.path.exists(candidate):
                    return text(candidate).strip()
    raise AssertionError(f"no {controller} cgroup file {name} for pid {pid}")


class Pod:
    """A pod sandbox with handler "mewz", removed (with its containers) on exit."""

    def __init__(self, name, annotations=None, handler="mewz"):
        self.config = WORLD.sandbox_config(name, annotations)
        self.handler = handler

    def __enter__(self):
        self.id = WORLD.run_sandbox(self.config, self.handler)
        return self

    def __exit__(self, *exc):
        WORLD.remove_sandbox(self.id)

    def container(self, name, image, **kwargs):
        return WORLD.create_container(self.id, self.config, WORLD.container_config(name, WORLD.images[image], **kwargs))

    def log(self, container_name, attempt=0):
        return os.path.join(self.config.log_directory, container_name, f"{attempt}.log")


class CRITests(unittest.TestCase):
    def test_version_names_containerd_and_the_v1_api(self):
        version = WORLD.containerd.runtime.Version(api.VersionRequest(version="v1"), timeout=10)
        self.assertEqual(version.runtime_name, "containerd")
        self.assertEqual(version.runtime_api_version, "v1")

    def test_imported_image_is_listed(self):
        status = WORLD.containerd.images.ImageStatus(
            api.ImageStatusRequest(image=api.ImageSpec(image=WORLD.images["mewz-hello"])), timeout=30)
        self.assertIn(WORLD.images["mewz-hello"], status.image.repo_tags)
        listed = WORLD.containerd.images.ListImages(api.ListImagesRequest(), timeout=30)
        self.assertTrue(any(WORLD.images["mewz-hello"] in image.repo_tags for image in listed.images))

    def test_wasm_container_runs_logs_and_reports_its_status(self):
        with Pod("hello") as pod:
            before = time.time_ns()
            container = pod.container("hello", "mewz-hello")
            created = WORLD.container_status(container).status
            self.assertEqual(created.state, api.CONTAINER_CREATED)
            WORLD.start_container(container)
            status = WORLD.wait_exited(container)
            after = time.time_ns()
            self.assertEqual(status.exit_code, 0)
            self.assertEqual(status.reason, "Completed")
            times = f"created {status.created_at} started {status.started_at} finished {status.finished_at}"
            self.assertTrue(before <= status.created_at <= status.started_at <= after, times)
            self.assertTrue(status.created_at <= status.finished_at <= after, times)
            # containerd stamps "started" once the start call has returned, the shim stamps the
            # exit when it sees it: a program that ends at once may end a moment "before" it
            # started (runc's containers too). Not by more than a second.
            self.assertTrue(status.finished_at >= status.started_at - 1_000_000_000, times)
            self.assertEqual(status.log_path, pod.log("hello"))
            self.assertEqual(read_log(pod.log("hello")), [("stdout", "F", "Hello, world!")])
            WORLD.containerd.runtime.RemoveContainer(api.RemoveContainerRequest(container_id=container), timeout=60)
            with self.assertRaises(grpc.RpcError):
                WORLD.container_status(container)

    def test_sandbox_goes_to_runc_and_wasm_containers_join_its_network_namespace(self):
        with Pod("netns") as pod:
            sandbox_state = os.path.join(WORLD.containerd.mewz_root, "k8s.io", pod.id)
            # runc's state where mewz-runtime keeps its own: the pause container was handed over.
            self.assertTrue(os.path.exists(os.path.join(sandbox_state, "state.json")))
            self.assertFalse(os.path.exists(os.path.join(sandbox_state, "mewz-state.json")))
            pause = WORLD.sandbox_pid(pod.id)
            self.assertEqual(os.readlink(f"/proc/{pause}/exe"), "/pause")
            containers = []
            for name in ("first", "second"):
                container = pod.container(name, "mewz-sysprobe")
                WORLD.start_container(container)
                containers.append(container)
            for container in containers:
                monitor = WORLD.container_pid(container)
                self.assertEqual(netns(monitor), netns(pause))
                self.assertNotEqual(netns(monitor), netns(os.getpid()))
                # A Wasm container for mewz-runtime: its state is mewz-runtime's, its process the monitor.
                self.assertTrue(os.path.exists(os.path.join(WORLD.containerd.mewz_root, "k8s.io", container,
                                                            "mewz-state.json")))
                self.assertIn("mewz-runtime", text(f"/proc/{monitor}/cmdline"))

    def test_wasm_containers_of_a_pod_reach_each_other_on_localhost(self):
        WORLD.pull("mewz-static-web")
        WORLD.pull("mewz-netprobe")
        with Pod("localhost") as pod:
            server = pod.container("web", "mewz-static-web")
            WORLD.start_container(server)
            # The client retries while the port refuses: the server may not listen yet.
            client = pod.container("client", "mewz-netprobe", args=["get", "8080", "/index.html"])
            WORLD.start_container(client)
            status = WORLD.wait_exited(client)
            lines = [text.rstrip("\r") for stream, _, text in read_log(pod.log("client")) if stream == "stdout"]
            self.assertEqual(status.exit_code, 0, lines)
            self.assertEqual(lines[0], "HTTP/1.1 200 OK")
            self.assertIn("<title>mewz-runtime static-web</title>", lines)
            # The server is still serving, in the sandbox's network namespace.
            self.assertEqual(WORLD.container_status(server).status.state, api.CONTAINER_RUNNING)
            self.assertEqual(netns(WORLD.container_pid(server)), netns(WORLD.sandbox_pid(pod.id)))

    def test_failed_container_is_restarted_in_the_same_sandbox(self):
        with Pod("restart") as pod:
            failed = pod.container("app", "mewz-hello", args=["pod", "3"])
            WORLD.start_container(failed)
            status = WORLD.wait_exited(failed)
            self.assertEqual(status.exit_code, 3)
            self.assertEqual(status.reason, "Error")
            log = read_log(pod.log("app", 0))
            self.assertIn(("stdout", "F", "Hello, pod!"), log)
            self.assertIn(("stderr", "F", "exiting with status 3"), log)
            # The kubelet's restart: the next attempt, created and started in the same sandbox.
            again = pod.container("app", "mewz-hello", args=["again"], attempt=1)
            WORLD.start_container(again)
            status = WORLD.wait_exited(again)
            self.assertEqual(status.exit_code, 0)
            self.assertEqual(status.metadata.attempt, 1)
            self.assertEqual(read_log(pod.log("app", 1)), [("stdout", "F", "Hello, again!")])
            self.assertEqual(WORLD.container_status(failed).status.exit_code, 3)

    def test_stop_container_sends_sigterm_then_sigkill(self):
        with Pod("stop") as pod:
            graceful = pod.container("graceful", "mewz-sysprobe")
            forced = pod.container("forced", "mewz-sysprobe")
            for container in (graceful, forced):
                WORLD.start_container(container)
            for container in (graceful, forced):
                self.assertEqual(WORLD.container_status(container).status.state, api.CONTAINER_RUNNING)
            # SIGTERM ends a guest at once (it cannot catch it): 128 + 15, long before the timeout.
            WORLD.containerd.runtime.StopContainer(api.StopContainerRequest(container_id=graceful, timeout=30),
                                                   timeout=120)
            self.assertEqual(WORLD.container_status(graceful).status.exit_code, 143)
            # Timeout 0: SIGKILL straight away, 128 + 9.
            WORLD.containerd.runtime.StopContainer(api.StopContainerRequest(container_id=forced, timeout=0),
                                                   timeout=120)
            status = WORLD.container_status(forced).status
            self.assertEqual(status.state, api.CONTAINER_EXITED)
            self.assertEqual(status.exit_code, 137)
            self.assertEqual(read_log(pod.log("graceful")), [("stdout", "F", "sleeping")])

    def test_memory_limit_is_the_guests_memory_and_cpu_limits_reach_the_cgroup(self):
        limit = 96 << 20
        resources = api.LinuxContainerResources(memory_limit_in_bytes=limit, cpu_period=100000, cpu_quota=50000,
                                                cpu_shares=512)
        with Pod("limits") as pod:
            fits = pod.container("fits", "mewz-sysprobe", args=["touch", "40"], resources=resources)
            too_big = pod.container("too-big", "mewz-sysprobe", args=["touch", "80"], resources=resources)
            WORLD.start_container(fits)
            WORLD.start_container(too_big)
            status = WORLD.wait_exited(too_big)
            self.assertEqual(status.exit_code, 1)
            self.assertEqual(read_log(pod.log("too-big")), [("stdout", "F", "no memory")])
            # 40 MiB fits the 64 MiB of linear memory left beside 32 MiB of guest RAM; it stays up.
            wait_for(lambda: read_log(pod.log("fits")), 60, what="the fits container's output")
            self.assertEqual(read_log(pod.log("fits")), [("stdout", "F", "touched 40")])
            self.assertEqual(WORLD.container_status(fits).status.state, api.CONTAINER_RUNNING)
            monitor = WORLD.container_pid(fits)
            self.assertEqual(int(cgroup_file(monitor, "memory", "memory.limit_in_bytes")), limit)
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.cfs_quota_us"), "50000")
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.cfs_period_us"), "100000")
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.shares"), "512")
            # An in-place resize of CPU, as the kubelet sends it (memory unchanged), reaches the
            # cgroup; a new memory limit is refused (the VM was sized from it) and changes nothing.
            WORLD.update_container(fits, api.LinuxContainerResources(
                memory_limit_in_bytes=limit, cpu_period=100000, cpu_quota=25000, cpu_shares=256))
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.cfs_quota_us"), "25000")
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.shares"), "256")
            with self.assertRaises(grpc.RpcError) as refused:
                WORLD.update_container(fits, api.LinuxContainerResources(
                    memory_limit_in_bytes=2 * limit, cpu_period=100000, cpu_quota=75000, cpu_shares=256))
            self.assertIn("the memory limit cannot change after create", refused.exception.details())
            self.assertEqual(cgroup_file(monitor, "cpu", "cpu.cfs_quota_us"), "25000")
            self.assertEqual(int(cgroup_file(monitor, "memory", "memory.limit_in_bytes")), limit)

    def test_images_pulled_from_the_registry_run_plain_and_with_the_compat_annotation(self):
        manifest = WORLD.registry.manifest("mewz-hello-compat")
        self.assertEqual(manifest.get("annotations", {}).get("module.wasm.image/variant"), "compat")
        for image in ("mewz-sysprobe", "mewz-hello-compat"):
            reference = WORLD.pull(image)
            self.assertTrue(reference.startswith("sha256:"), reference)
            status = WORLD.containerd.images.ImageStatus(
                api.ImageStatusRequest(image=api.ImageSpec(image=WORLD.images[image])), timeout=30)
            self.assertEqual(status.image.id, reference)
        # A pod annotated as crun and runwasi read it (pod_annotations passes it to the runtime).
        with Pod("compat", annotations={"module.wasm.image/variant": "compat"}) as pod:
            container = pod.container("hello", "mewz-hello-compat", args=["registry"])
            info = json.loads(WORLD.container_status(container, verbose=True).info["info"])
            self.assertEqual(info["runtimeSpec"]["annotations"].get("module.wasm.image/variant"), "compat")
            WORLD.start_container(container)
            self.assertEqual(WORLD.wait_exited(container).exit_code, 0)
            self.assertEqual(read_log(pod.log("hello")), [("stdout", "F", "Hello, registry!")])
        with Pod("plain") as pod:
            container = pod.container("probe", "mewz-sysprobe", args=["sleep", "10"])
            WORLD.start_container(container)
            self.assertEqual(WORLD.wait_exited(container).exit_code, 0)
            self.assertEqual(read_log(pod.log("probe")), [("stdout", "F", "slept enough")])


class KubernetesExampleTests(unittest.TestCase):
    def test_examples_agree_and_the_example_pod_runs_as_the_kubelet_would_run_it(self):
        runtime_class = yaml.safe_load(text(os.path.join(REPO, "oci/kubernetes/runtimeclass.yaml")))
        pod = yaml.safe_load(text(os.path.join(REPO, "oci/kubernetes/pod.yaml")))
        self.assertEqual((runtime_class["apiVersion"], runtime_class["kind"]), ("node.k8s.io/v1", "RuntimeClass"))
        self.assertEqual(pod["spec"]["runtimeClassName"], runtime_class["metadata"]["name"])
        handler = runtime_class["handler"]
        # The handler names a runtime in containerd's CRI table and in CRI-O's.
        with open(os.path.join(REPO, "oci/containerd/config.toml"), "rb") as file:
            containerd = tomllib.load(file)
        entry = containerd["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"][handler]
        self.assertEqual(entry["runtime_type"], "io.containerd.runc.v2")
        self.assertEqual(entry["options"]["BinaryName"], "/usr/local/bin/mewz-runtime")
        self.assertIn("module.wasm.image/*", entry["pod_annotations"])
        with open(os.path.join(REPO, "oci/crio/mewz.conf"), "rb") as file:
            crio = tomllib.load(file)["crio"]["runtime"]["runtimes"][handler]
        self.assertEqual(crio["runtime_path"], "/usr/local/bin/mewz-runtime")
        self.assertIn("module.wasm.image/variant", crio["allowed_annotations"])

        # The pod as the kubelet turns it into CRI calls: the handler from its RuntimeClass,
        # its annotations on the sandbox, limits as CFS quota and shares (requests = limits).
        spec = pod["spec"]["containers"][0]
        image = spec["image"].replace("registry.example/", WORLD.registry.address + "/")
        self.assertEqual(image, f"{WORLD.registry.address}/mewz-hello:latest")
        WORLD.pull(image)
        limits = spec["resources"]["limits"]
        millicores = quantity(limits["cpu"], cpu=True)
        resources = api.LinuxContainerResources(memory_limit_in_bytes=quantity(limits["memory"]), cpu_period=100000,
                                                cpu_quota=millicores * 100, cpu_shares=millicores * 1024 // 1000)
        with Pod(pod["metadata"]["name"], annotations=pod["metadata"]["annotations"], handler=handler) as sandbox:
            container = WORLD.create_container(sandbox.id, sandbox.config, WORLD.container_config(
                spec["name"], image, args=spec["args"], resources=resources))
            WORLD.start_container(container)
            self.assertEqual(WORLD.wait_exited(container).exit_code, 0)
            self.assertEqual(read_log(sandbox.log(spec["name"])), [("stdout", "F", "Hello, world!")])


if __name__ == "__main__":
    unittest.main()
