/**
 * The bench reads a stalled Pebble's SIGQUIT dump with goroutineWaits. The dump below has the
 * shape Go prints (a header per goroutine, then function and file:line per frame); it is written
 * for this test, with a store lock waited on by two readers and a writer, and two goroutines
 * that wait on something else.
 */
import { describe, expect, it } from 'vitest';
import { goroutineWaits } from '../../cli/local/goroutine-dump.js';

const OWN = 'example.org/ca/';

const DUMP = `SIGQUIT: quit
PC=0x468ce3 m=0 sigcode=0

goroutine 0 [idle]:
runtime.futex()
\truntime/sys_linux_amd64.s:552 +0x21

goroutine 1 [IO wait]:
net/http.(*Server).Serve(0xc000134000, {0x852ca8, 0xc000013968})
\tnet/http/server.go:3070 +0x4db
main.main()
\texample.org/ca/cmd/ca/main.go:90 +0x6c5

goroutine 40 [semacquire, 2 minutes]:
sync.runtime_SemacquireMutex(0xc00078d1d0?, 0x60?, 0xc00078d258?)
\truntime/sema.go:77 +0x25
sync.(*RWMutex).RLock(...)
\tsync/rwmutex.go:71
example.org/ca/db.(*Store).AccountByID(0xc0000fe080, {0xc000182540, 0x10})
\texample.org/ca/db/store.go:120 +0x9f
example.org/ca/web.(*Front).verify(0xc00007e0f0, {0x853370, 0xc0000a6008})
\texample.org/ca/web/front.go:700 +0x32d

goroutine 41 [semacquire]:
sync.runtime_SemacquireMutex(0xc00078d1d0?, 0x60?, 0xc00078d258?)
\truntime/sema.go:77 +0x25
sync.(*RWMutex).RLock(...)
\tsync/rwmutex.go:71
example.org/ca/db.(*Store).AccountByID(0xc0000fe080, {0xc000182541, 0x10})
\texample.org/ca/db/store.go:120 +0x9f

goroutine 42 [semacquire, 1 minutes]:
sync.(*RWMutex).Lock(0xc0007dba40?)
\tsync/rwmutex.go:152 +0x71
example.org/ca/db.(*Store).AddAuthorization(0xc0000fe080, 0xc000454340)
\texample.org/ca/db/store.go:235 +0x5d

goroutine 43 [chan receive, 2 minutes]:
example.org/ca/va.worker({0xc0000a4190, 0x9ef3})
\texample.org/ca/va/va.go:300 +0x85

goroutine 44 [semacquire]:
sync.(*WaitGroup).Wait(0xc000012345)
\tsync/waitgroup.go:116 +0x4b
`;

describe('goroutineWaits', () => {
  it('counts the goroutines parked on locks by the call of the program that took them, most common first', () => {
    // Act
    const waits = goroutineWaits(DUMP, OWN);

    // Assess
    expect(waits).toEqual({
      goroutines: 7,
      waitingOnLocks: 4,
      where: [
        { frame: 'db.(*Store).AccountByID', goroutines: 2 },
        { frame: '(none of its own frames)', goroutines: 1 },
        { frame: 'db.(*Store).AddAuthorization', goroutines: 1 },
      ],
    });
  });

  it('finds nothing waiting in a dump without locks, or in no dump at all', () => {
    expect(goroutineWaits(DUMP.replace(/\[semacquire[^\]]*\]/g, '[select]'), OWN)).toEqual({ goroutines: 7, waitingOnLocks: 0, where: [] });
    expect(goroutineWaits('', OWN)).toEqual({ goroutines: 0, waitingOnLocks: 0, where: [] });
  });
});
