/*
 * Preloaded ahead of Debian's libfaketime for the moved-clock test pass.
 *
 * libfaketime 0.9.10 shifts every timerfd_settime() by the fake offset, even for timers on
 * CLOCK_MONOTONIC or CLOCK_BOOTTIME and even with FAKETIME_DONT_FAKE_MONOTONIC=1, because the
 * call does not say which clock the descriptor runs on (wolfcw/libfaketime#378). libdispatch
 * arms Swift's Task.sleep as an absolute monotonic timerfd, so a year-ahead offset turns every
 * sleep into EINVAL and the sleeper never wakes.
 *
 * This library watches timerfd_create() to learn each descriptor's clock. Timers on a monotonic
 * clock go straight to the kernel; CLOCK_REALTIME timers still go through libfaketime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define TRACKED_DESCRIPTORS 65536

/* 1 where the descriptor is a timerfd on a clock libfaketime must leave alone. */
static atomic_uchar monotonic_timer[TRACKED_DESCRIPTORS];

static int is_monotonic(int fd) {
    return fd >= 0 && fd < TRACKED_DESCRIPTORS && atomic_load(&monotonic_timer[fd]);
}

int timerfd_create(int clockid, int flags) {
    int fd = (int)syscall(SYS_timerfd_create, clockid, flags);
    if (fd >= 0 && fd < TRACKED_DESCRIPTORS) {
        atomic_store(&monotonic_timer[fd], clockid != CLOCK_REALTIME && clockid != CLOCK_REALTIME_ALARM);
    }
    return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value) {
    if (is_monotonic(fd)) {
        return (int)syscall(SYS_timerfd_settime, fd, flags, new_value, old_value);
    }
    int (*next)(int, int, const struct itimerspec *, struct itimerspec *) = dlsym(RTLD_NEXT, "timerfd_settime");
    return next(fd, flags, new_value, old_value);
}

int timerfd_gettime(int fd, struct itimerspec *curr_value) {
    if (is_monotonic(fd)) {
        return (int)syscall(SYS_timerfd_gettime, fd, curr_value);
    }
    int (*next)(int, struct itimerspec *) = dlsym(RTLD_NEXT, "timerfd_gettime");
    return next(fd, curr_value);
}
