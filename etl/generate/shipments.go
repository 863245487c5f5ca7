package generate

import (
	"context"
	"errors"
)

var shipments = Family{
	Name:        "shipments",
	Description: "not written yet",
	DefaultRows: 1000,
	Write: func(ctx context.Context, opts Options) error {
		return errors.New("not written yet")
	},
}
