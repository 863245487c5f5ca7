package generate

import (
	"context"
	"errors"
)

var notifications = Family{
	Name:        "notifications",
	Description: "not written yet",
	DefaultRows: 1000,
	Write: func(ctx context.Context, opts Options) error {
		return errors.New("not written yet")
	},
}
