package client_test

import (
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// The device's store is the client's Store.
var _ client.Store = (*data.Store)(nil)
