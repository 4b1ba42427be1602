package bench_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/katzenthin/katzenthin/mock"
	"github.com/katzenthin/katzenthin/wire"
)

// pacingMean is the mean send interval BenchmarkPacing gives the mock: a
// real daemon's is about a second (LambdaP 0.001 per ms); 10 ms keeps the
// benchmark short and scales.
const pacingMean = 10 * time.Millisecond

// BenchmarkPacing measures what a real daemon's pace does to a burst:
// n callers Send at once through a mock whose sends leave on Poisson
// slots of mean pacingMean (mock.WithSendPacing), one message per slot.
// It reports, over every call of every burst, the first, median and last
// caller's latency in slot means (slots/first, slots/median, slots/last:
// multiply by the daemon's mean interval, about 1 s for real) and the
// calls per slot mean the burst got through (calls/slot).
func BenchmarkPacing(b *testing.B) {
	for _, n := range []int{1, 8, 64} {
		b.Run("burst="+strconv.Itoa(n), func(b *testing.B) {
			_, c, dst := startSDK(b, wire.Generation47, mock.WithSendPacing(pacingMean))
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			var (
				lat   []time.Duration
				total time.Duration
				lost  int
			)
			for b.Loop() {
				burst := make([]time.Duration, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				start := time.Now()
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = c.Send(ctx, dst, []byte("paced"))
						burst[i] = time.Since(start)
					}()
				}
				wg.Wait()
				total += time.Since(start)
				for i := range n {
					if errs[i] != nil {
						lost++
					}
				}
				lat = append(lat, burst...)
			}
			slices.Sort(lat)
			slots := func(d time.Duration) float64 { return float64(d) / float64(pacingMean) }
			b.ReportMetric(slots(lat[0]), "slots/first")
			b.ReportMetric(slots(lat[len(lat)/2]), "slots/median")
			b.ReportMetric(slots(lat[len(lat)-1]), "slots/last")
			b.ReportMetric(float64(len(lat))/slots(total), "calls/slot")
			b.ReportMetric(float64(lost), "lost")
		})
	}
}

// TestPacing: a burst through a paced mock gets every reply.
func TestPacing(t *testing.T) {
	_, c, dst := startSDK(t, wire.Generation47, mock.WithSendPacing(time.Millisecond))
	roundTrips(t, sendCall(c, dst), 8, 16, 64)
}
