package hq

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Rows leaving a governorate. Devices pull the rows of their governorates;
// a row moved elsewhere (by an administrator, or a device enrolled for
// both) stops being sent to the devices of the old one, whose copies would
// otherwise stay behind, frozen, with the person's civil ID and phone. So
// a move also writes an exit: a row of HQ's own table "exit" in the old
// governorate, naming the row that left, under a new sequence number. A
// pull turns it into a Change with Gone set, and the device drops its copy.
// One exit per row and governorate, rewritten at each departure.

// ExitTable is HQ's table of exits. Devices never see it by that name.
const ExitTable = "exit"

var exitNS = uuid.MustParse("0b7d3c52-93a1-4f57-8f0e-2d9b6f1c7e44")

// putExit records that (table, id) left governorate from.
func putExit(ctx context.Context, tx Tx, table, id, from string) error {
	if from == "" {
		return nil
	}
	seq, err := tx.NextSeq(ctx)
	if err != nil {
		return err
	}
	data := rowData{safeer.FieldTbl: {V: table}, safeer.FieldRowID: {V: id}}
	exitID := uuid.NewSHA1(exitNS, []byte(table+"\x00"+id+"\x00"+from)).String()
	return tx.PutRow(ctx, Row{Table: ExitTable, ID: exitID, Scope: from, Seq: seq, Data: data.encode()})
}

// exitChange turns an exit row into what a device of dev's governorates
// pulls: a Change with Gone set, or nothing (ok false) when the row is back
// in one of those governorates (the device must keep it; the row itself
// comes, or came, under its own sequence number).
func (s *Server) exitChange(ctx context.Context, dev Device, r Row) (ch protocol.Change, ok bool, err error) {
	d, err := decodeData(r.Data)
	if err != nil {
		return protocol.Change{}, false, fmt.Errorf("exit %s: %w", r.ID, err)
	}
	table, id := d.str(safeer.FieldTbl), d.str(safeer.FieldRowID)
	now, found, err := s.store.Row(ctx, table, id)
	if err != nil {
		return protocol.Change{}, false, err
	}
	if found && inScope(dev.Governorates, now.Scope) {
		return protocol.Change{}, false, nil
	}
	return protocol.Change{Seq: r.Seq, Table: table, RowID: id, Gone: true}, true, nil
}
