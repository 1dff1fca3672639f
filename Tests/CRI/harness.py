"""The CRI test's world: a private containerd (oci/containerd/config.toml with the built
mewz-runtime, a CNI bridge, a local registry), the test images built by podman from FROM
scratch Containerfiles, and a gRPC client of the CRI v1 API (stubs generated from api.proto
by hack/cri-test into a directory on PYTHONPATH).

Everything lives below one temporary directory; stop() ends what start() started (by pid),
unmounts, and removes the directory and the CNI bridge.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import grpc

import api_pb2 as api
import api_pb2_grpc as api_grpc

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
K8S_NAMESPACE = "k8s.io"  # the containerd namespace the CRI plugin keeps its objects in
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INSTALLED_BINARY = "/usr/local/bin/mewz-runtime"
# Per run, so two runs at once (two worktrees' hack/test) do not share a bridge.
BRIDGE = f"mewzcri{os.getpid() % 100000}"
SUBNET = f"10.217.{os.getpid() % 250}.0/24"


class HarnessError(Exception):
    pass


def run(argv, env=None, timeout=300, check=True, **kwargs):
    """argv to completion, stdin /dev/null, output captured; HarnessError when it fails."""
    merged = dict(os.environ, PATH=os.environ.get("PATH", "") + ":" + PATH, **(env or {}))
    result = subprocess.run(argv, env=merged, timeout=timeout, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise HarnessError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    return result


def read_text(path):
    with open(path) as file:
        return file.read()


def write_text(path, content):
    with open(path, "w") as file:
        file.write(content)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds=60, interval=0.05, what="condition"):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(interval)


class Podman:
    """podman with private storage and a containers.conf made from oci/podman/containers.conf."""

    def __init__(self, directory, binary):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        conf = read_text(os.path.join(REPO, "oci/podman/containers.conf"))
        conf = conf.replace(INSTALLED_BINARY, binary)
        conf += ('\n[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
                 '[network]\nnetwork_backend = "netavark"\n')
        self.conf = os.path.join(directory, "containers.conf")
        write_text(self.conf, conf)

    def __call__(self, *arguments, timeout=300):
        base = ["podman", "--root", f"{self.directory}/storage", "--runroot", f"{self.directory}/run",
                "--tmpdir", f"{self.directory}/tmp", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
        return run(base + list(arguments), env={"CONTAINERS_CONF": self.conf}, timeout=timeout)

    def stop(self):
        for arguments in (["rm", "--all", "--force", "--time", "0"], ["rmi", "--all", "--force"]):
            try:
                self(*arguments)
            except (HarnessError, subprocess.TimeoutExpired):
                pass


class Registry:
    """Debian's docker-registry (distribution 2.8) on loopback, storage below `directory`."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "config.yml")
        write_text(config,
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {directory}/data\n"
            f"http:\n  addr: {self.address}\n")
        binary = shutil.which("docker-registry", path=PATH) or "/usr/bin/docker-registry"
        self.log = open(os.path.join(directory, "registry.log"), "w")
        self.process = subprocess.Popen([binary, "serve", config], stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.ready, 30, what=f"the registry on {self.address}")

    def ready(self):
        if self.process.poll() is not None:
            raise HarnessError(f"docker-registry exited: {read_text(self.log.name)[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://{self.address}/v2/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def manifest(self, name, tag="latest"):
        request = urllib.request.Request(f"http://{self.address}/v2/{name}/manifests/{tag}", headers={
            "Accept": "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def stop(self):
        stop_process(self.process)
        self.log.close()


def stop_process(process, seconds=20):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Containerd:
    """A private containerd whose configuration is the committed oci/containerd/config.toml
    (the built binary in place of the installed one, its runtime root below `directory`) plus
    what a private daemon needs: its own root, state and sockets, the CNI bridge, the local
    registry over plain HTTP, and the test's sandbox image."""

    def __init__(self, directory, binary, registry, sandbox_image, cache):
        self.directory = directory
        self.socket = os.path.join(directory, "containerd.sock")
        self.mewz_root = os.path.join(directory, "mewz-root")
        os.makedirs(directory, exist_ok=True)
        committed = read_text(os.path.join(REPO, "oci/containerd/config.toml"))
        if INSTALLED_BINARY not in committed or 'Root = "/run/containerd/mewz"' not in committed:
            raise HarnessError("oci/containerd/config.toml names no binary or no Root")
        config = committed.replace(INSTALLED_BINARY, binary)
        config = config.replace('Root = "/run/containerd/mewz"', f'Root = "{self.mewz_root}"')
        # sandbox_image belongs to the CRI plugin's own table, which the committed file opens.
        header = '[plugins."io.containerd.grpc.v1.cri"]\n'
        if header not in config:
            raise HarnessError("oci/containerd/config.toml has no CRI plugin table")
        config = config.replace(header, header + f'  sandbox_image = "{sandbox_image}"\n', 1)
        self.cni_conf_dir = os.path.join(directory, "net.d")
        certs = os.path.join(directory, "certs.d")
        self._write_cni_config()
        os.makedirs(os.path.join(certs, registry.address))
        write_text(os.path.join(certs, registry.address, "hosts.toml"),
            f'server = "http://{registry.address}"\n[host."http://{registry.address}"]\n'
            '  capabilities = ["pull", "resolve"]\n')
        config = (f'root = "{directory}/root"\nstate = "{directory}/state"\n' + config + f"""
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "{self.cni_conf_dir}"
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "{certs}"
[grpc]
  address = "{self.socket}"
[ttrpc]
  address = "{self.socket}.ttrpc"
[debug]
  address = "{directory}/debug.sock"
[metrics]
  address = ""
""")
        self.config_path = os.path.join(directory, "config.toml")
        write_text(self.config_path, config)
        self.log = open(os.path.join(directory, "containerd.log"), "w")
        binary_containerd = shutil.which("containerd", path=PATH)
        if binary_containerd is None:
            raise HarnessError("containerd is not installed: run hack/install-deps")
        self.process = subprocess.Popen(
            [binary_containerd, "--config", self.config_path], stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
            env={"PATH": PATH, "MEWZ_CACHE_DIR": cache, "HOME": "/root"})
        self.channel = None
        wait_for(self._up, 60, what="containerd's CRI service")
        self.runtime = api_grpc.RuntimeServiceStub(self.channel)
        self.images = api_grpc.ImageServiceStub(self.channel)

    def _write_cni_config(self):
        os.makedirs(self.cni_conf_dir)
        conflist = {
            "cniVersion": "0.4.0",
            "name": "mewz-cri-test",
            "plugins": [{
                "type": "bridge", "bridge": BRIDGE, "isGateway": True, "ipMasq": False,
                "ipam": {"type": "host-local", "ranges": [[{"subnet": SUBNET}]],
                         "dataDir": os.path.join(self.directory, "ipam")},
            }],
        }
        write_text(os.path.join(self.cni_conf_dir, "10-mewz-cri-test.conflist"), json.dumps(conflist, indent=2))

    def _up(self):
        if self.process.poll() is not None:
            raise HarnessError(f"containerd exited: {self.log_tail()}")
        if not os.path.exists(self.socket):
            return False
        if self.channel is None:
            self.channel = grpc.insecure_channel("unix://" + self.socket)
        try:
            api_grpc.RuntimeServiceStub(self.channel).Version(api.VersionRequest(version="v1"), timeout=5)
            return True
        except grpc.RpcError:
            return False

    def log_tail(self, size=3000):
        return read_text(self.log.name)[-size:]

    def ctr(self, *arguments, timeout=300):
        return run(["ctr", "--address", self.socket, "--namespace", K8S_NAMESPACE] + list(arguments), timeout=timeout)

    def stop(self):
        if self.channel is not None:
            self.channel.close()
        stop_process(self.process)
        # The shims this daemon started outlive it: they name its socket on their command line.
        for pid in processes_mentioning(self.socket):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                cmdline = file.read().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry))
    return found


def unmount_below(directory):
    points = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            fields = line.split()
            if len(fields) > 4 and fields[4].startswith(directory):
                points.append(fields[4])
    for point in sorted(points, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


class World:
    """Images built and published, registry and containerd up. `images` maps a short name to
    the reference containerd knows it by."""

    WASM_IMAGES = ("mewz-hello", "mewz-hello-compat", "mewz-sysprobe")

    def __init__(self, binary, with_native=False):
        self.binary = binary
        self.directory = tempfile.mkdtemp(prefix="mewz-cri-")
        self.registry = self.containerd = self.podman = None
        self.sandboxes = []
        try:
            self._start(with_native)
        except BaseException:
            self.stop()
            raise

    def _start(self, with_native):
        d = self.directory
        self.cache = os.path.join(d, "cache")
        self.podman = Podman(os.path.join(d, "podman"), self.binary)
        self._build_images(with_native)
        self.registry = Registry(os.path.join(d, "registry"))
        self.images = {}
        # The sandbox image and hello are imported (ctr image import of podman's oci-archive);
        # the others, and hello once more, reach containerd from the registry through CRI
        # PullImage.
        for name in self.built:
            if name == "mewz-test-pause":
                continue
            self.podman("push", "--quiet", "--tls-verify=false", f"localhost/{name}:latest",
                        f"docker://{self.registry.address}/{name}:latest")
            self.images[name] = f"{self.registry.address}/{name}:latest"
        self.containerd = Containerd(os.path.join(d, "containerd"), self.binary, self.registry,
                                     "localhost/mewz-test-pause:latest", self.cache)
        for name in ("mewz-test-pause", "mewz-hello"):
            archive = os.path.join(d, f"{name}.tar")
            self.podman("save", "--quiet", "--format", "oci-archive", "--output", archive, f"localhost/{name}:latest")
            self.containerd.ctr("images", "import", "--base-name", f"localhost/{name}", archive)
            self.images[name] = f"localhost/{name}:latest"
        self.logs = os.path.join(d, "logs")

    def _build_images(self, with_native):
        d = os.path.join(self.directory, "contexts")
        contexts = {}

        def context(name, files, containerfile):
            path = os.path.join(d, name)
            os.makedirs(path)
            for target, source in files.items():
                shutil.copy(source, os.path.join(path, target))
            write_text(os.path.join(path, "Containerfile"), containerfile)
            contexts[name] = path

        pause = os.path.join(self.directory, "pause")
        run(["gcc", "-O2", "-static", os.path.join(REPO, "Tests/CRI/pause.c"), "-o", pause])
        context("mewz-test-pause", {"pause": pause}, 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n')
        context("mewz-sysprobe", {"sysprobe.wasm": os.path.join(REPO, "oci/examples/sysprobe/rootfs/sysprobe.wasm")},
                'FROM scratch\nCOPY sysprobe.wasm /sysprobe.wasm\nENTRYPOINT ["/sysprobe.wasm"]\n'
                'CMD ["sleep-forever"]\n')
        if with_native:
            hello = os.path.join(self.directory, "hello")
            run(["gcc", "-O2", "-static", os.path.join(REPO, "oci/examples/hello/src/hello.c"), "-o", hello])
            busybox = shutil.which("busybox", path=PATH)
            context("native-hello", {"hello": hello, "busybox": busybox},
                    'FROM scratch\nCOPY hello /hello\nCOPY busybox /busybox\nENV GREETING=Hello\n'
                    'ENTRYPOINT ["/hello"]\nCMD ["world"]\n')
        hello_context = os.path.join(REPO, "oci/examples/hello")
        self.podman("build", "--quiet", "--tag", "mewz-hello", hello_context)
        # The same image with crun's and runwasi's marker: an OCI manifest annotation (built
        # afresh: from buildah's layer cache it would be the plain image, annotation dropped).
        self.podman("build", "--quiet", "--no-cache", "--format", "oci", "--annotation", "module.wasm.image/variant=compat",
                    "--tag", "mewz-hello-compat", hello_context)
        # A pod's two Wasm containers on localhost: the static-web server and an HTTP client.
        self.podman("build", "--quiet", "--tag", "mewz-static-web", os.path.join(REPO, "oci/examples/static-web"))
        context("mewz-netprobe", {"netprobe.wasm": os.path.join(REPO, "oci/examples/netprobe/rootfs/netprobe.wasm")},
                'FROM scratch\nCOPY netprobe.wasm /netprobe.wasm\nENTRYPOINT ["/netprobe.wasm"]\n')
        for name, path in contexts.items():
            self.podman("build", "--quiet", "--tag", name, path)
        self.built = ["mewz-hello", "mewz-hello-compat", "mewz-static-web"] + list(contexts)

    # -- CRI helpers --------------------------------------------------------------------------

    def sandbox_config(self, name, handler_annotations=None):
        uid = f"{name}-{time.monotonic_ns()}"
        log_directory = os.path.join(self.logs, uid)
        os.makedirs(log_directory)
        return api.PodSandboxConfig(
            metadata=api.PodSandboxMetadata(name=name, uid=uid, namespace="mewz-test", attempt=0),
            hostname=name, log_directory=log_directory, annotations=handler_annotations or {},
            linux=api.LinuxPodSandboxConfig(security_context=api.LinuxSandboxSecurityContext(
                namespace_options=api.NamespaceOption(network=api.POD, pid=api.CONTAINER, ipc=api.POD))))

    def run_sandbox(self, config, handler="mewz"):
        response = self.containerd.runtime.RunPodSandbox(
            api.RunPodSandboxRequest(config=config, runtime_handler=handler), timeout=120)
        self.sandboxes.append(response.pod_sandbox_id)
        return response.pod_sandbox_id

    def remove_sandbox(self, sandbox_id):
        runtime = self.containerd.runtime
        runtime.StopPodSandbox(api.StopPodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=120)
        runtime.RemovePodSandbox(api.RemovePodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=120)
        self.sandboxes.remove(sandbox_id)

    def container_config(self, name, image, args=(), attempt=0, command=(), resources=None, annotations=None):
        linux = api.LinuxContainerConfig(resources=resources) if resources else None
        return api.ContainerConfig(
            metadata=api.ContainerMetadata(name=name, attempt=attempt), image=api.ImageSpec(image=image),
            command=list(command), args=list(args), log_path=f"{name}/{attempt}.log", linux=linux,
            annotations=annotations or {})

    def create_container(self, sandbox_id, sandbox_config, config):
        return self.containerd.runtime.CreateContainer(api.CreateContainerRequest(
            pod_sandbox_id=sandbox_id, config=config, sandbox_config=sandbox_config), timeout=300).container_id

    def start_container(self, container_id):
        self.containerd.runtime.StartContainer(api.StartContainerRequest(container_id=container_id), timeout=120)

    def update_container(self, container_id, resources):
        self.containerd.runtime.UpdateContainerResources(
            api.UpdateContainerResourcesRequest(container_id=container_id, linux=resources), timeout=60)

    def container_status(self, container_id, verbose=False):
        return self.containerd.runtime.ContainerStatus(
            api.ContainerStatusRequest(container_id=container_id, verbose=verbose), timeout=30)

    def wait_exited(self, container_id, seconds=120):
        return wait_for(lambda: (lambda s: s if s.state == api.CONTAINER_EXITED else None)(
            self.container_status(container_id).status), seconds, what=f"container {container_id[:12]} to exit")

    def container_pid(self, container_id):
        return json.loads(self.container_status(container_id, verbose=True).info["info"])["pid"]

    def sandbox_pid(self, sandbox_id):
        status = self.containerd.runtime.PodSandboxStatus(
            api.PodSandboxStatusRequest(pod_sandbox_id=sandbox_id, verbose=True), timeout=30)
        return json.loads(status.info["info"])["pid"]

    def pull(self, image):
        """CRI PullImage of a test image's short name, or of a full reference."""
        reference = self.images.get(image, image)
        return self.containerd.images.PullImage(
            api.PullImageRequest(image=api.ImageSpec(image=reference)), timeout=300).image_ref

    def stop(self):
        if self.containerd is not None:
            for sandbox_id in list(self.sandboxes):
                try:
                    self.remove_sandbox(sandbox_id)
                except grpc.RpcError:
                    pass
            self.containerd.stop()
        if self.registry is not None:
            self.registry.stop()
        if self.podman is not None:
            self.podman.stop()
        unmount_below(self.directory)
        subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)
