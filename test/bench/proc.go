// Package bench measures the sink as users run it: the real sink binary in
// its own process, driven over OTLP by a load generator in another, with
// its CPU time and peak memory read from /proc, so that the generator's own
// cost is never counted as the sink's.
package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times; it is 100
// on every Linux architecture Go supports.
const clockTicks = 100

// CPUSeconds is the user plus system CPU time a process has used.
func CPUSeconds(pid int) (float64, error) {
	t, err := statTimes(pid)
	return float64(t.utime+t.stime) / clockTicks, err
}

// TreeCPUSeconds is the CPU time of a process and its children: its own,
// that of the children it has waited for, and that of those still running
// (a PostgreSQL server: the postmaster, its backends and its background
// processes).
func TreeCPUSeconds(pid int) (float64, error) {
	own, err := statTimes(pid)
	if err != nil {
		return 0, err
	}
	total := float64(own.utime+own.stime+own.cutime+own.cstime) / clockTicks
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil || child == pid {
			continue
		}
		st, err := statTimes(child)
		if err != nil || st.ppid != uint64(pid) { // Gone meanwhile, or not a child.
			continue
		}
		total += float64(st.utime+st.stime) / clockTicks
	}
	return total, nil
}

// CPUUse is what a process has used so far: CPU-seconds in user and in
// system (kernel) mode, and minor page faults (first touches of memory
// pages, which the kernel fills in: a heap that grows pays one per page).
type CPUUse struct {
	User, System float64
	MinorFaults  uint64
}

// CPUUseOf reads a process's CPU use from /proc/<pid>/stat.
func CPUUseOf(pid int) (CPUUse, error) {
	t, err := statTimes(pid)
	return CPUUse{User: float64(t.utime) / clockTicks, System: float64(t.stime) / clockTicks, MinorFaults: t.minflt}, err
}

// Since is the use between an earlier reading and this one.
func (u CPUUse) Since(earlier CPUUse) CPUUse {
	return CPUUse{User: u.User - earlier.User, System: u.System - earlier.System, MinorFaults: u.MinorFaults - earlier.MinorFaults}
}

type procTimes struct{ ppid, minflt, utime, stime, cutime, cstime uint64 }

// statTimes reads a process's parent, minor faults and CPU times from
// /proc/<pid>/stat.
func statTimes(pid int) (procTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procTimes{}, err
	}
	// The command name may hold spaces; fields count from after its ")".
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 15 {
		return procTimes{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	var t procTimes
	for i, dst := range map[int]*uint64{1: &t.ppid, 7: &t.minflt, 11: &t.utime, 12: &t.stime, 13: &t.cutime, 14: &t.cstime} {
		if *dst, err = strconv.ParseUint(fields[i], 10, 64); err != nil {
			return procTimes{}, fmt.Errorf("/proc/%d/stat: field %d: %w", pid, i+3, err)
		}
	}
	return t, nil
}

// PeakRSSBytes is the process's peak resident set size (VmHWM).
func PeakRSSBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

// CPUStat is the machine's CPU time so far, in ticks, from the first line
// of /proc/stat: all of it, and the part stolen (the hypervisor ran
// something else while this machine had work), which tells a slower run
// of the same code on a shared virtual machine.
type CPUStat struct{ total, steal uint64 }

// ReadCPUStat reads the machine's CPU times.
func ReadCPUStat() (CPUStat, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUStat{}, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return CPUStat{}, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var s CPUStat
	for i, f := range fields[1:9] { // user nice system idle iowait irq softirq steal; guest time is in user
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return CPUStat{}, fmt.Errorf("/proc/stat: %w", err)
		}
		s.total += v
		if i == 7 {
			s.steal = v
		}
	}
	return s, nil
}

// StealSince is the share of the machine's CPU time stolen since an
// earlier reading.
func (s CPUStat) StealSince(earlier CPUStat) float64 {
	if s.total <= earlier.total {
		return 0
	}
	return float64(s.steal-earlier.steal) / float64(s.total-earlier.total)
}
