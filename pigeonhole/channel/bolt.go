package channel

import (
	"errors"
	"time"
)

func openBolt(path string, timeout time.Duration) (Store, error) { return nil, errors.ErrUnsupported }
