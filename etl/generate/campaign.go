package generate

import (
	"context"
	"errors"
)

var campaign = Family{
	Name:        "campaign",
	Description: "not written yet",
	DefaultRows: 1000,
	Write: func(ctx context.Context, opts Options) error {
		return errors.New("not written yet")
	},
}
