package tmpl

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentRenders shares one engine between goroutines, as the runner
// does; run with -race to check renders do not share mutable state.
func TestConcurrentRenders(t *testing.T) {
	e := newTestEngine(t)
	const workers, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				model := fmt.Sprintf("m%d_%d", w, i)
				c := testContext()
				c.This = Relation{Schema: "gold", Name: model}
				c.IsIncremental = i%2 == 0
				c.Vars = map[string]any{"n": i}
				src := "{{ config(tag='" + model + "') }}{{ latest('" + model + "') }} {{ var('n') }}{% if is_incremental() %} inc{% endif %} {{ this.name }}"
				res, err := e.Render(context.Background(), model+".sql", src, c)
				if err != nil {
					errs <- err
					continue
				}
				want := fmt.Sprintf(`select max(updated_at) from "silver".%q %d`, model, i)
				if c.IsIncremental {
					want += " inc"
				}
				want += " " + model
				if res.SQL != want || res.Config["tag"] != model || len(res.Refs) != 1 || res.Refs[0].Args[0] != model {
					errs <- fmt.Errorf("render %s: got %q %v %v", model, res.SQL, res.Config, res.Refs)
				}
				// A failing render must not disturb the others.
				if _, err := e.Render(context.Background(), model+".sql", "{{ ref('missing') }}", c); err == nil {
					errs <- fmt.Errorf("render %s: unknown ref accepted", model)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
