// Package sched gives the daemon's busy threads (engine shards, packet
// readers) a scheduling class an operator chooses: a raised nice value
// under SCHED_OTHER, or SCHED_FIFO/SCHED_RR real-time priority.
//
// A goroutine that wants it calls Apply from itself: Apply locks the
// goroutine to its OS thread (so the setting stays with the work) and sets
// the class of that thread only. Real-time classes need CAP_SYS_NICE or an
// RLIMIT_RTPRIO at least the priority (systemd: LimitRTPRIO=); a negative
// nice needs CAP_SYS_NICE or RLIMIT_NICE (LimitNICE=). The kernel's RT
// throttling (kernel.sched_rt_runtime_us, 95 % by default) keeps a
// runaway real-time thread from taking the whole machine.
package sched
