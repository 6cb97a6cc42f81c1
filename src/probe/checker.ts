// The in-container checker: one Perl process per probe container runs all of a round's checks
// with non-blocking sockets (see the program's header). Perl because both the real netshoot image
// and a minimal Debian image (perl-base) have it; the bash script (./script.ts) forks a
// \`timeout bash\` per check, whose clock starts when the fork is scheduled, not when the connect starts.
// The output format is the script's, so ./script.ts parses and classifies both.
import type { ScriptCheck } from './script.js'

export interface CheckerCheck extends ScriptCheck {
  timeoutMs: number
}

export interface CheckerLimits {
  /** Checks in flight at once in this container. */
  inFlight: number
  /** Checks in flight at once to one destination host. */
  perDestination: number
}

export const CHECKER_PROGRAM = String.raw`# The in-container checker of kubectl-netpol: one process runs all of a round's checks with
# non-blocking sockets, so a check's clock starts when its connect starts, not when a forked process
# is scheduled. Only core modules of perl-base (no Time::HiRes): the probe image may be minimal.
#
# Arguments: <max in flight> <max in flight per destination> <checks>, where <checks> has one line
# per check, '<index> <tcp|sctp|dns|echo> <host> <port> <timeout ms>'. Prints one line per check
#   NETPOL <index> <exit code> <elapsed ms> <detail on one line>
# (0 answered, 124 no answer before the deadline, 1 an error named in the detail), then
#   NETPOL-LAG <ms>     the worst delay between when this process meant to wake up and when it did
#   NETPOL-NEIGH <missing> <evicted>   what this pod saw of the node's neighbour table (see below)
#   NETPOL-DONE
use strict;
use warnings;
use Config;
use Errno qw(EINPROGRESS EAGAIN EWOULDBLOCK);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use POSIX ();
use Socket qw(:DEFAULT :addrinfo IPPROTO_TCP inet_pton pack_sockaddr_in6 unpack_sockaddr_in6);

$| = 1;
my ($max_in_flight, $max_per_destination, $input) = @ARGV;
die "usage: checker <max in flight> <max per destination> <checks>\n" unless defined $input;

# ---- a monotonic millisecond clock: clock_gettime(CLOCK_MONOTONIC) through syscall(2) -------
my %CLOCK_GETTIME = (x86_64 => 228, aarch64 => 113, i386 => 265, i686 => 265, arm => 263, ppc64 => 246, ppc64le => 246, s390x => 260, riscv64 => 113);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
my $clock_syscall = $CLOCK_GETTIME{$arch // ''};
sub now_ms {
  if (defined $clock_syscall) {
    my $timespec = "\0" x 16;
    if (syscall($clock_syscall, 1, $timespec) == 0) {
      my ($seconds, $nanoseconds) = unpack('q q', $timespec);
      return $seconds * 1000 + int($nanoseconds / 1_000_000);
    }
    undef $clock_syscall;
  }
  open(my $uptime, '<', '/proc/uptime') or return time * 1000;
  my ($seconds) = split(' ', scalar <$uptime>);
  return int($seconds * 1000);
}

# ---- the checks --------------------------------------------------------------------------------
my @queue;
for my $line (split /\n/, $input) {
  my ($index, $mode, $host, $port, $timeout) = split ' ', $line;
  next unless defined $timeout;
  push @queue, { index => $index, mode => $mode, host => $host, port => $port, timeout => $timeout };
}

my $sctp_error;
if (grep { $_->{mode} eq 'sctp' } @queue) {
  if (socket(my $probe, PF_INET, SOCK_STREAM, 132)) { close $probe } else { $sctp_error = "$!" }
}

my (%in_flight_to, @in_flight, %resolving, %resolved, %answered_hops);
my $worst_lag = 0;

sub report {
  my ($check, $code, $detail) = @_;
  $detail =~ s/\s+/ /g;
  printf "NETPOL %s %d %d %.300s\n", $check->{index}, $code, now_ms() - $check->{started}, $detail;
}

sub finish {
  my ($check, $code, $detail) = @_;
  my $hop = $check->{hop};
  if (defined $hop && ($code == 124 || $detail =~ /No route to host/)) {
    # No answer on a shared L2 segment while the next hop stayed unresolved or lost its entry: the
    # connect is no evidence about any policy (a full neighbour table on the node, a pod gone).
    my $entry = neighbours()->{$hop};
    if (!defined $entry) { ($code, $detail) = (1, "no neighbour entry for $hop after the connect: the node's neighbour (ARP) table dropped it or could not hold it (is it full?), so the timeout is no evidence") }
    elsif (!$entry) { ($code, $detail) = (1, "no ARP answer from $hop: the node did not resolve the address (is its neighbour table full?), so no policy was involved") }
  } elsif (defined $hop && ($code == 0 || $detail =~ /refused/i)) {
    $answered_hops{$hop} = now_ms();
  }
  close $check->{socket} if $check->{socket};
  $check->{done} = 1;
  $in_flight_to{$check->{host}}--;
  report($check, $code, $detail);
}

# ---- the neighbour table -------------------------------------------------------------------------
# On a shared L2 segment (a bridge CNI) a pod resolves every pod it dials, and the node keeps one
# neighbour table for all its network namespaces: when it is full, packets of both directions are
# dropped for want of an entry, and connects time out whatever the policies say. The node's
# statistics (/proc/net/stat/arp_cache) exist only in the node's own network namespace, so this pod
# watches its own entries (/proc/net/arp) instead: the next hop of a connect without an entry right
# after the connect (the kernel could not create one), or the entry of a next hop that answered in
# this exec gone again at its end (the periodic collection removes only entries unused for
# gc_stale_time, 60 s by default, so within a minute of its last answer only the forced collection
# of a table over its limits evicts one) means the node's table was full or evicting while the
# checks ran.
my @routes = read_routes();
my $neighbours_readable = -r '/proc/net/arp';
my $neighbours_missing = 0;

sub read_routes {
  open(my $file, '<', '/proc/net/route') or return ();
  scalar <$file>;
  my @routes;
  while (my $line = <$file>) {
    my (undef, $destination, $gateway, $flags, undef, undef, undef, $mask) = split ' ', $line;
    next unless defined $mask;
    push @routes, { destination => kernel_address($destination), mask => kernel_address($mask), gateway => (hex($flags) & 2) ? kernel_address($gateway) : undef };
  }
  # Longest prefix first: a longer contiguous mask is a larger number.
  return sort { $b->{mask} <=> $a->{mask} } @routes;
}

# /proc/net/route prints addresses as the hex of their in-memory (network order) bytes read natively.
sub kernel_address { return unpack('N', pack('L', hex $_[0])) }

# Where packets to this IPv4 host go on the link: the host itself, or its route's gateway; none for
# this pod's own or loopback addresses, IPv6, or a host no route covers.
sub next_hop {
  my ($host, $socket) = @_;
  return unless $neighbours_readable && $host =~ /^\d+\.\d+\.\d+\.\d+$/ && $host !~ /^127\./;
  my $local = getsockname($socket);
  return if $local && length($local) == 16 && inet_ntoa((unpack_sockaddr_in($local))[1]) eq $host;
  my $address = unpack('N', inet_aton($host));
  for my $route (@routes) {
    next unless ($address & $route->{mask}) == $route->{destination};
    return defined $route->{gateway} ? inet_ntoa(pack('N', $route->{gateway})) : $host;
  }
  return;
}

# This pod's neighbour entries: address => 1 when resolved, 0 while incomplete or failed.
sub neighbours {
  my %entries;
  open(my $arp, '<', '/proc/net/arp') or return \%entries;
  scalar <$arp>;
  while (my $line = <$arp>) {
    my ($address, undef, $flags) = split ' ', $line;
    $entries{$address} = (hex($flags) & 2) ? 1 : 0 if defined $flags;
  }
  return \%entries;
}

sub errno_text { my ($errno) = @_; local $! = $errno; return "$!" }

sub is_address { return $_[0] =~ /^[0-9.]+$/ || $_[0] =~ /:/ }

# A name is resolved by a forked child (getaddrinfo blocks), at most once per name.
sub start_resolving {
  my ($name) = @_;
  return if exists $resolving{$name} || exists $resolved{$name};
  pipe(my $reader, my $writer) or do { $resolved{$name} = { error => "pipe: $!" }; return };
  my $pid = fork;
  if (!defined $pid) { $resolved{$name} = { error => "fork: $!" }; return }
  if ($pid == 0) {
    close $reader;
    my ($error, @addresses) = getaddrinfo($name, '0', { socktype => SOCK_STREAM });
    my $text = "ERR $error";
    if (!$error) {
      my $family = $addresses[0]{family};
      my $address = $family == AF_INET6 ? (unpack_sockaddr_in6($addresses[0]{addr}))[1] : (unpack_sockaddr_in($addresses[0]{addr}))[1];
      $text = 'OK ' . ($family == AF_INET6 ? 6 : 4) . ' ' . unpack('H*', $address);
    }
    syswrite $writer, $text;
    POSIX::_exit(0);
  }
  close $writer;
  $resolving{$name} = { reader => $reader, pid => $pid };
}

sub read_resolution {
  my ($name) = @_;
  my $job = delete $resolving{$name};
  my $text = '';
  sysread $job->{reader}, $text, 4096;
  close $job->{reader};
  waitpid $job->{pid}, 0;
  if ($text =~ /^OK (\d) ([0-9a-f]+)$/) { $resolved{$name} = { family => $1 == 6 ? AF_INET6 : AF_INET, address => pack('H*', $2) } }
  else { $resolved{$name} = { error => $text =~ /^ERR (.*)/ ? "name resolution failed: $1" : 'name resolution failed' } }
}

sub sockaddr_of {
  my ($check) = @_;
  my $host = $check->{host};
  if ($host =~ /:/) {
    my $packed = inet_pton(AF_INET6, $host) // return;
    return (AF_INET6, pack_sockaddr_in6($check->{port}, $packed));
  }
  if ($host =~ /^[0-9.]+$/) {
    my $packed = inet_aton($host) // return;
    return (AF_INET, pack_sockaddr_in($check->{port}, $packed));
  }
  my $name = $resolved{$host};
  return $name->{family} == AF_INET6 ? (AF_INET6, pack_sockaddr_in6($check->{port}, $name->{address})) : (AF_INET, pack_sockaddr_in($check->{port}, $name->{address}));
}

sub dns_query {
  my ($id) = @_;
  my $name = join '', map { chr(length $_) . $_ } split /\./, 'kubernetes.default.svc.cluster.local';
  return pack('n n n n n n', $id, 0x0100, 1, 0, 0, 0) . $name . "\0" . pack('n n', 1, 1);
}

# Opens the socket and starts the connection; the check then waits for the socket to be ready.
sub start_check {
  my ($check) = @_;
  $check->{started} //= now_ms();
  $check->{deadline} //= $check->{started} + $check->{timeout};
  if ($check->{mode} eq 'sctp' && defined $sctp_error) { return finish($check, 1, "SCTP: $sctp_error by this kernel") }
  if (!is_address($check->{host})) {
    if (!exists $resolved{$check->{host}}) { start_resolving($check->{host}); $check->{waiting_for_name} = 1; return }
    if (my $error = $resolved{$check->{host}}{error}) { return finish($check, 1, $error) }
  }
  delete $check->{waiting_for_name};
  my ($family, $sockaddr) = sockaddr_of($check);
  return finish($check, 1, "not an address: $check->{host}") unless defined $sockaddr;
  my ($type, $protocol) = $check->{mode} eq 'tcp' ? (SOCK_STREAM, IPPROTO_TCP) : $check->{mode} eq 'sctp' ? (SOCK_STREAM, 132) : (SOCK_DGRAM, 0);
  socket(my $socket, $family, $type, $protocol) or return finish($check, 1, "socket: $!");
  fcntl($socket, F_SETFL, fcntl($socket, F_GETFL, 0) | O_NONBLOCK);
  $check->{socket} = $socket;
  if (!connect($socket, $sockaddr) && $! != EINPROGRESS && $! != EAGAIN) { return finish($check, 1, "connect: $!") }
  if ($check->{mode} eq 'dns' || $check->{mode} eq 'echo') { send_datagram($check) }
  return if $check->{done};
  # The connect (or the first datagram) has gone out: the next hop has an entry now, if the node could make one.
  $check->{hop} = next_hop($check->{host}, $socket);
  $neighbours_missing++ if defined $check->{hop} && !exists neighbours()->{$check->{hop}};
}

sub send_datagram {
  my ($check) = @_;
  $check->{query_id} //= int(rand(65536));
  my $payload = $check->{mode} eq 'dns' ? dns_query($check->{query_id}) : "netpol-probe\n";
  $check->{resend_at} = now_ms() + 1000;
  return if defined send($check->{socket}, $payload, 0) || $! == EAGAIN || $! == EWOULDBLOCK;
  finish($check, 1, "send: $!");
}

sub on_writable {
  my ($check) = @_;
  my $error = unpack('i', getsockopt($check->{socket}, SOL_SOCKET, SO_ERROR) // pack('i', 0));
  return finish($check, 0, 'connected') if $error == 0;
  finish($check, 1, 'connect: ' . errno_text($error));
}

sub on_readable {
  my ($check) = @_;
  my $reply = '';
  if (!defined recv($check->{socket}, $reply, 4096, 0)) {
    return if $! == EAGAIN || $! == EWOULDBLOCK;
    return finish($check, 1, "recv: $!");
  }
  if ($check->{mode} eq 'echo') { return finish($check, 0, $reply) }
  my ($id, $flags) = unpack('n n', $reply);
  return unless defined $flags && $id == $check->{query_id};
  finish($check, 0, 'answer rcode ' . ($flags & 0xf));
}

sub admit {
  my @waiting;
  while (my $check = shift @queue) {
    if (@in_flight >= $max_in_flight || ($in_flight_to{$check->{host}} // 0) >= $max_per_destination) { push @waiting, $check; next }
    $in_flight_to{$check->{host}}++;
    push @in_flight, $check;
    start_check($check);
  }
  @queue = @waiting;
}

while (@queue || @in_flight) {
  admit();
  for my $check (grep { $_->{waiting_for_name} && !exists $resolving{$_->{host}} } @in_flight) { start_check($check) }
  @in_flight = grep { !$_->{done} } @in_flight;
  next if !@in_flight && @queue;
  last unless @in_flight;

  my ($read, $write) = ('', '');
  my $wake = undef;
  for my $check (@in_flight) {
    my $until = $check->{deadline};
    if ($check->{waiting_for_name}) { vec($read, fileno($resolving{$check->{host}}{reader}), 1) = 1 }
    elsif ($check->{mode} eq 'tcp' || $check->{mode} eq 'sctp') { vec($write, fileno($check->{socket}), 1) = 1 }
    else { vec($read, fileno($check->{socket}), 1) = 1; $until = $check->{resend_at} if $check->{resend_at} < $until }
    $wake = $until if !defined $wake || $until < $wake;
  }
  my $before = now_ms();
  my $found = select(my $readable = $read, my $writable = $write, undef, $wake > $before ? ($wake - $before) / 1000 : 0);
  my $now = now_ms();
  if ($found == 0 && $now - $wake > $worst_lag) { $worst_lag = $now - $wake }

  my %names_ready;
  for my $check (@in_flight) {
    if ($check->{waiting_for_name}) {
      my $job = $resolving{$check->{host}} or next;
      $names_ready{$check->{host}} = 1 if vec($readable, fileno($job->{reader}), 1);
    } elsif (($check->{mode} eq 'tcp' || $check->{mode} eq 'sctp') && vec($writable, fileno($check->{socket}), 1)) {
      on_writable($check);
    } elsif (($check->{mode} eq 'dns' || $check->{mode} eq 'echo') && vec($readable, fileno($check->{socket}), 1)) {
      on_readable($check);
    }
  }
  read_resolution($_) for keys %names_ready;
  for my $check (grep { !$_->{done} } @in_flight) {
    if ($now >= $check->{deadline}) {
      if ($check->{waiting_for_name}) { finish($check, 1, "name resolution timed out after $check->{timeout} ms") }
      else { finish($check, 124, "timed out after $check->{timeout} ms") }
    } elsif (!$check->{waiting_for_name} && defined $check->{resend_at} && $now >= $check->{resend_at}) {
      send_datagram($check);
    }
  }
  @in_flight = grep { !$_->{done} } @in_flight;
}
kill 'KILL', map { $_->{pid} } values %resolving;
print "NETPOL-LAG $worst_lag\n";
my ($left, $ended) = (neighbours(), now_ms());
printf "NETPOL-NEIGH %d %d\n", $neighbours_missing, scalar grep { !exists $left->{$_} && $ended - $answered_hops{$_} < 55_000 } keys %answered_hops;
print "NETPOL-DONE\n";
`

/** The exec command: \`perl -e PROGRAM -- LIMITS CHECKS\` (the checks travel as one argument, like the script's). */
export function checkerCommand(checks: CheckerCheck[], limits: CheckerLimits): string[] {
  const lines = checks.map((c) => `${c.index} ${c.mode} ${c.host} ${c.port} ${c.timeoutMs}\n`).join('')
  return ['perl', '-e', CHECKER_PROGRAM, '--', String(limits.inFlight), String(limits.perDestination), lines]
}

/** What the probe pod saw of the node's neighbour table in one exec (NETPOL-NEIGH). */
export interface NeighbourSighting {
  /** Connects whose next hop had no neighbour entry right after the connect: the node could not make one. */
  missing: number
  /** Next hops that answered in the exec and had lost their entry by its end: evicted by the node. */
  evicted: number
}

export function checkerNeighbours(stdout: string): NeighbourSighting | undefined {
  const match = /^NETPOL-NEIGH (\d+) (\d+)$/m.exec(stdout)
  return match ? { missing: Number(match[1]), evicted: Number(match[2]) } : undefined
}

/** The worst scheduling delay the checker saw (NETPOL-LAG), or undefined if it did not finish. */
export function checkerLag(stdout: string): number | undefined {
  const match = /^NETPOL-LAG (\d+)$/m.exec(stdout)
  return match ? Number(match[1]) : undefined
}
