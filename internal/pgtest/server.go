package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server for tests.
type Server struct {
	adminURL string
	external bool // from EnvDSN: never started, stopped or removed here

	bindir, dir string
	port        int
	durable     bool                // keep PostgreSQL's default fsync and commit settings
	cred        *syscall.Credential // the postgres user's, when running as root

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// New starts a private local server for one test (never the EnvDSN one),
// which the test may Stop and Start; it is removed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	return newServer(t, false)
}

// NewDurable is New with PostgreSQL's default durability (fsync and
// synchronous commit on), for benchmarks whose figures must hold for a
// production server and for tests that Crash it.
func NewDurable(t testing.TB) *Server {
	t.Helper()
	return newServer(t, true)
}

func newServer(t testing.TB, durable bool) *Server {
	t.Helper()
	s, err := start(durable)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Stop()
		s.remove()
	})
	return s
}

// URL is the server's address as the superuser, with the default database.
func (s *Server) URL() string { return s.adminURL }

// Port is the TCP port the server listens on, the same after a restart.
func (s *Server) Port() int { return s.port }

// PID is the postmaster's process id, or 0 when the server is not running
// here (stopped, or the EnvDSN one).
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func start(durable bool) (*Server, error) {
	bindir, err := findBindir()
	if err != nil {
		return nil, err
	}
	s := &Server{bindir: bindir, durable: durable}
	if s.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return nil, err
	}
	if err := s.ownDir(); err != nil {
		s.remove()
		return nil, err
	}
	if s.port, err = freePort(); err != nil {
		s.remove()
		return nil, err
	}
	s.adminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	initdb := s.command("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		s.remove()
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := s.Start(); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

// findBindir looks where Debian's packages put the server, then asks
// pg_config, then the PATH.
func findBindir() (string, error) {
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres"); len(m) > 0 {
		sort.Slice(m, func(i, j int) bool { return version(m[i]) > version(m[j]) })
		return filepath.Dir(m[0]), nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found: " +
		"install them with `apt-get install postgresql`, or set " + EnvDSN + " to a server's URL")
}

// version reads the major version from /usr/lib/postgresql/<major>/bin/postgres.
func version(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// ownDir hands the directory to the postgres user when running as root.
func (s *Server) ownDir() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user to run the server as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return os.Chown(s.dir, uid, gid)
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bindir, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	return cmd
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server, on its data directory and port, and waits until
// it accepts connections. It is a no-op on a running server.
func (s *Server) Start() error {
	if s.external {
		return errors.New("pgtest: the server named by " + EnvDSN + " is not ours to start")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	args := []string{"-D", s.data(), "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + s.dir,
		"-c", "max_connections=200"}
	if !s.durable {
		// A test database never outlives a crash.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := s.command("postgres", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// If the test binary dies without stopping the server (a test timeout
	// panics past Main), the kernel stops the server for it.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	exited := make(chan struct{})
	if err := startLocked(cmd, exited); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	s.cmd, s.exited = cmd, exited
	if err := s.waitReady(exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		s.cmd = nil
		return err
	}
	return nil
}

// waitReady polls until a connection succeeds, the server exits, or 60s
// pass (a loaded machine starts slowly).
func (s *Server) waitReady(exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := pgx.Connect(ctx, s.adminURL)
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited at start; see %s: %w", filepath.Join(s.dir, "postgres.log"), err)
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready after 60s: %w", err)
		case <-tick.C:
		}
	}
}

// Stop shuts the server down (fast mode: clients are disconnected) and
// waits for it; the data directory and port stay for Start.
func (s *Server) Stop() error { return s.signal(syscall.SIGINT) }

// Crash stops the server as a crash would: an immediate shutdown (SIGQUIT,
// what `pg_ctl stop -m immediate` sends), with no checkpoint, so that the
// next Start runs crash recovery from the WAL. A server from New commits
// without waiting for the WAL (synchronous_commit off), so a crash may undo
// its last commits; a test of what survives a crash wants NewDurable.
func (s *Server) Crash() error { return s.signal(syscall.SIGQUIT) }

// signal sends sig to the postmaster and waits for it to exit.
func (s *Server) signal(sig syscall.Signal) error {
	if s.external {
		return errors.New("pgtest: the server named by " + EnvDSN + " is not ours to stop")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		return err
	}
	<-s.exited
	s.cmd = nil
	return nil
}

// startLocked starts cmd from a goroutine locked to its OS thread until
// the process exits, because Linux sends Pdeathsig when the thread that
// started the child ends, not the process.
func startLocked(cmd *exec.Cmd, exited chan<- struct{}) error {
	started := make(chan error)
	go func() {
		runtime.LockOSThread() // Never unlocked: the thread ends with the goroutine.
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(exited)
	}()
	return <-started
}

func (s *Server) stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.external && s.cmd == nil
}

func (s *Server) remove() {
	if !s.external && s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}
