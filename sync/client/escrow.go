package client

import "context"

// escrowStore is a Store that keeps HQ's recovery key and entrusts its
// data key to it (data.Store.SetEscrowRecipient, issue 14). Enrol hands it
// the key HQ's reply carries.
type escrowStore interface {
	SetEscrowRecipient(ctx context.Context, hqRecipient string) error
}
