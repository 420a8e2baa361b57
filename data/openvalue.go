package data

// OpenValue is v, the value of field in the row id of table as read with
// SQL from the store's database, opened if it is sealed (a protected
// store must be unlocked: ErrLocked otherwise); any other value is
// returned as it is. For code that reads rows with SQL rather than through
// the store: internal/testharness/synccheck compares a device's rows with
// HQ's, on encrypted databases too (issue 14).
func (s *Store) OpenValue(table, id, field string, v any) (any, error) {
	return s.openValue(table, id, field, v)
}
