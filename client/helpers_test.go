package client_test

import "github.com/katzenthin/katzenthin/transport"

func unixDialer(addr string) transport.Dialer { return transport.Unix(addr) }
