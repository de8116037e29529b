// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "init.h"
#include "iothread.h"
#include "vm.h"

#define IO_MAX_SOURCES	16

struct io_source {
	int fd;
	io_handler_t fn;
	void *opaque;
	bool oneshot;
};

struct iothread {
	struct vm *vm;
	int epfd;
	int stop_fd;		/* eventfd: iothread_stop() wakes the loop */
	pthread_t thread;
	bool running;
	unsigned int nr;
	struct io_source src[IO_MAX_SOURCES];
};

struct khv_timer {
	int fd;
	io_handler_t fn;
	void *opaque;
};

static u32 io_events(bool oneshot)
{
	return EPOLLIN | (oneshot ? EPOLLONESHOT : 0);
}

int iothread_add_fd(struct vm *vm, int fd, io_handler_t fn, void *opaque,
		    bool oneshot)
{
	struct iothread *io = vm->io;
	struct epoll_event ev;
	struct io_source *s;

	if (!io)
		return -ENODEV;
	if (io->nr == IO_MAX_SOURCES)
		return -ENOSPC;
	s = &io->src[io->nr];
	*s = (struct io_source) {
		.fd = fd, .fn = fn, .opaque = opaque, .oneshot = oneshot,
	};
	ev.events = io_events(oneshot);
	ev.data.ptr = s;
	if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	io->nr++;
	return 0;
}

int iothread_rearm_fd(struct vm *vm, int fd)
{
	struct iothread *io = vm->io;
	struct epoll_event ev;
	unsigned int i;

	for (i = 0; io && i < io->nr; i++) {
		if (io->src[i].fd != fd)
			continue;
		ev.events = io_events(io->src[i].oneshot);
		ev.data.ptr = &io->src[i];
		return epoll_ctl(io->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
	}
	return -ENOENT;
}

static void *iothread_main(void *arg)
{
	struct iothread *io = arg;
	struct epoll_event ev[8];
	int i, n;

	for (;;) {
		n = epoll_wait(io->epfd, ev, ARRAY_SIZE(ev), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("I/O thread: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct io_source *s = ev[i].data.ptr;

			if (!s)
				return NULL;	/* the stop eventfd */
			pthread_mutex_lock(&io->vm->lock);
			s->fn(s->opaque);
			pthread_mutex_unlock(&io->vm->lock);
		}
	}
}

int iothread_start(struct vm *vm)
{
	struct iothread *io = vm->io;
	sigset_t block, old;
	int ret;

	if (!io)
		return -ENODEV;
	/*
	 * The process-directed stop signals and the vCPU kick must land on
	 * the vCPU thread, whose run ioctl they interrupt: block them here.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	ret = pthread_create(&io->thread, NULL, iothread_main, io);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	io->running = true;
	return 0;
}

void iothread_stop(struct vm *vm)
{
	struct iothread *io = vm->io;
	u64 one = 1;

	if (!io || !io->running)
		return;
	if (write(io->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(io->thread, NULL);
	io->running = false;
}

bool iothread_running(const struct vm *vm)
{
	return vm->io && vm->io->running;
}

static void khv_timer_expired(void *opaque)
{
	struct khv_timer *t = opaque;
	u64 expirations;

	/* Nonblocking: a re-arm since the wakeup may have reset the count. */
	if (read(t->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	t->fn(t->opaque);
}

struct khv_timer *khv_timer_new(struct vm *vm, io_handler_t fn,
				void *opaque)
{
	struct khv_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	t->fn = fn;
	t->opaque = opaque;
	if (t->fd < 0 ||
	    iothread_add_fd(vm, t->fd, khv_timer_expired, t, false)) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	return t;
}

void khv_timer_arm(struct khv_timer *t, u64 first_ns, u64 period_ns)
{
	struct itimerspec its = {
		.it_value = {
			.tv_sec = first_ns / NSEC_PER_SEC,
			.tv_nsec = first_ns % NSEC_PER_SEC,
		},
		.it_interval = {
			.tv_sec = period_ns / NSEC_PER_SEC,
			.tv_nsec = period_ns % NSEC_PER_SEC,
		},
	};

	timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int iothread_init(struct vm *vm)
{
	struct iothread *io = calloc(1, sizeof(*io));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (!io)
		return -ENOMEM;
	io->vm = vm;
	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->epfd < 0 || io->stop_fd < 0 ||
	    epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->stop_fd, &ev)) {
		int err = errno;

		if (io->epfd >= 0)
			close(io->epfd);
		if (io->stop_fd >= 0)
			close(io->stop_fd);
		free(io);
		return -err;
	}
	vm->io = io;
	return 0;
}
core_init(iothread_init);
