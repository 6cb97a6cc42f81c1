// A destination's stand-in pod as a plain manifest, and its listener program. Pure. The stand-in
// has the destination's labels and declared ports and the probe pod's safety properties
// (./spec.ts): never Ready (so never a Service endpoint), a controller ownerReference to the run's
// owner object (so no workload controller adopts it, and deleting the owner deletes it), the run-id
// label, activeDeadlineSeconds, Pod Security "restricted". It never copies a hostPort, a volume, a
// service account or anything else of the destination: only what NetworkPolicy reads.
import type { ContainerPort } from '../model/cluster.js'
import { NOBODY, RUN_ID_LABEL } from '../model/cluster.js'
import type { StandInSpec } from '../plan/stand-ins.js'
import { restrictedContainerSecurity, shortLivedNeverReady, type RunIdentity } from './spec.js'

export const STAND_IN_CONTAINER = 'stand-in'
export const STAND_IN_ANNOTATION = 'netpol.kubectl.io/stands-in-for'
const STATUS_FILE = '/tmp/netpol-stand-in'

export const LISTENER_PROGRAM = String.raw`# The listener of a kubectl-netpol stand-in: listens on every port given (TCP and SCTP accept and
# close, UDP echoes each datagram to its sender), writes which ports it listens on, then serves
# until it is killed. Core Perl only. Arguments: <status file> <PROTOCOL/port>...
use strict;
use warnings;
use Socket qw(:DEFAULT IPPROTO_TCP IPPROTO_IPV6 IPV6_V6ONLY pack_sockaddr_in6 IN6ADDR_ANY);

my ($status_file, @ports) = @ARGV;
my (@listeners, @lines);
# Returns the bound (and, for a stream, listening) socket, or undef and the error.
sub bound {
  my ($family, $type, $number, $address) = @_;
  socket(my $socket, $family, $type, $number) or return (undef, "socket: $!");
  setsockopt($socket, IPPROTO_IPV6, IPV6_V6ONLY, 0) if $family == AF_INET6;
  setsockopt($socket, SOL_SOCKET, SO_REUSEADDR, 1);
  bind($socket, $address) or return (undef, "bind: $!");
  return ($socket, '') if $type == SOCK_DGRAM;
  listen($socket, 128) or return (undef, "listen: $!");
  return ($socket, '');
}
for my $entry (@ports) {
  my ($protocol, $port) = split m{/}, $entry;
  my ($type, $number) = $protocol eq 'UDP' ? (SOCK_DGRAM, 17) : $protocol eq 'SCTP' ? (SOCK_STREAM, 132) : (SOCK_STREAM, IPPROTO_TCP);
  # Both address families on one socket where the pod has IPv6, IPv4 alone where it has not.
  my ($socket, $error) = bound(AF_INET6, $type, $number, pack_sockaddr_in6($port, IN6ADDR_ANY));
  ($socket, $error) = bound(AF_INET, $type, $number, pack_sockaddr_in($port, INADDR_ANY)) unless $socket;
  if ($socket) { push @listeners, { socket => $socket, udp => $type == SOCK_DGRAM }; push @lines, "LISTEN $protocol/$port" }
  else { push @lines, "FAILED $protocol/$port $error" }
}
open(my $status, '>', "$status_file.tmp") or die "cannot write $status_file: $!\n";
print $status join("\n", @lines, 'DONE'), "\n";
close $status;
rename "$status_file.tmp", $status_file or die "cannot write $status_file: $!\n";

for (;;) {
  my $read = '';
  vec($read, fileno($_->{socket}), 1) = 1 for @listeners;
  last unless @listeners;
  next unless select(my $ready = $read, undef, undef, undef) > 0;
  for my $listener (@listeners) {
    next unless vec($ready, fileno($listener->{socket}), 1);
    if ($listener->{udp}) {
      my $peer = recv($listener->{socket}, my $datagram, 65535, 0);
      send($listener->{socket}, $datagram, 0, $peer) if defined $peer;
    } elsif (accept(my $connection, $listener->{socket})) {
      close $connection;
    }
  }
}
sleep;
`

/** Waits (bounded) for the listener's status file and prints it. */
const STATUS_READER = String.raw`for (1 .. 100) { if (open(my $f, '<', $ARGV[0])) { local $/; my $text = <$f>; if ($text =~ /^DONE$/m) { print $text; exit 0 } } select(undef, undef, undef, 0.1) } print "NO-STATUS\n"; exit 1`

export function statusCommand(): string[] {
  return ['perl', '-e', STATUS_READER, '--', STATUS_FILE]
}

/** What the listener reported: the ports it listens on, and the ones it could not with the error. */
export function parseListenerStatus(stdout: string): { listening: Set<string>; unbound: Map<string, string> } | undefined {
  if (!/^DONE$/m.test(stdout)) return undefined
  const listening = new Set<string>()
  const unbound = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const listen = /^LISTEN (\S+)$/.exec(line)
    if (listen) listening.add(listen[1])
    const failure = /^FAILED (\S+) (.*)$/.exec(line)
    if (failure) unbound.set(failure[1], failure[2])
  }
  return { listening, unbound }
}

export function standInPod(spec: StandInSpec, run: RunIdentity, owner: { apiVersion: string; kind: string; name: string; uid: string }): object {
  const lowPorts = spec.ports.some((p) => p.containerPort < 1024)
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'netpol-stand-in-',
      namespace: spec.namespace,
      labels: { ...spec.labels, [RUN_ID_LABEL]: run.runId },
      annotations: { [STAND_IN_ANNOTATION]: spec.destination },
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      ...shortLivedNeverReady(run),
      securityContext: {
        runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: 'RuntimeDefault' },
        // A safe sysctl (allowed by Pod Security "restricted"): lets UID 65534 bind ports below 1024.
        ...(lowPorts ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
      },
      ...(spec.nodeName ? { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [spec.nodeName] }] } }] } } } : {}),
      containers: [{
        name: STAND_IN_CONTAINER,
        image: run.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['perl', '-e', LISTENER_PROGRAM, '--', STATUS_FILE, ...spec.ports.map((p) => `${p.protocol}/${p.containerPort}`)],
        ports: spec.ports.map(declaredPort),
        securityContext: restrictedContainerSecurity,
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
      }],
    },
  }
}

function declaredPort(port: ContainerPort): object {
  return { containerPort: port.containerPort, protocol: port.protocol, ...(port.name ? { name: port.name } : {}) }
}
