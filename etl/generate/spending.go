package generate

import (
	"context"
	"errors"
)

var spending = Family{
	Name:        "spending",
	Description: "not written yet",
	DefaultRows: 1000,
	Write: func(ctx context.Context, opts Options) error {
		return errors.New("not written yet")
	},
}
