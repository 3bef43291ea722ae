// The SDK's Clock is the kernel's: a trigger takes one from TriggerContext, and tests move it with FakeClock.
export { type Clock, FakeClock, systemClock } from "@gofer/kernel/clock";
