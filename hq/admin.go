package hq

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DeviceInfo is a device as safeer-hq devices shows it.
type DeviceInfo struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Governorates     []string   `json:"governorates"`
	EnrolledAt       time.Time  `json:"enrolled_at"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	LastSeen         *time.Time `json:"last_seen,omitempty"`
	LastPush         *time.Time `json:"last_push,omitempty"`
	LastPull         *time.Time `json:"last_pull,omitempty"`
	PendingConflicts int        `json:"pending_conflicts"` // unresolved, in its governorates
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// ListDevices lists every device with its last sync and the unresolved
// conflicts in its scope.
func ListDevices(ctx context.Context, st Store) ([]DeviceInfo, error) {
	devs, err := st.Devices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DeviceInfo, 0, len(devs))
	counts := map[string]int{} // by scope list: devices often share one
	for _, d := range devs {
		key := strings.Join(d.Governorates, ",")
		n, ok := counts[key]
		if !ok {
			if n, err = st.PendingConflicts(ctx, d.Governorates); err != nil {
				return nil, err
			}
			counts[key] = n
		}
		out = append(out, DeviceInfo{ID: d.ID, Name: d.Name, Governorates: d.Governorates,
			EnrolledAt: d.EnrolledAt.UTC(), RevokedAt: timePtr(d.RevokedAt), LastSeen: timePtr(d.LastSeen),
			LastPush: timePtr(d.LastPush), LastPull: timePtr(d.LastPull), PendingConflicts: n})
	}
	return out, nil
}

// Actor is who makes an administrative change, for its audit entry: an
// account of the console with the client's address, or "cli" for the
// safeer-hq commands.
type Actor struct {
	Admin  string
	Remote string
}

// CLI is the actor of the safeer-hq commands.
var CLI = Actor{Admin: "cli"}

func (a Actor) entry(now time.Time, action, target, detail string) AuditEntry {
	return AuditEntry{At: now.UTC(), Admin: a.Admin, Action: action, Target: target, Detail: detail, Remote: a.Remote}
}

// RevokeDevice revokes the device with this id (or the one device whose id
// starts with it): its next request is answered 401 device_revoked.
// Revoking a revoked device changes nothing. The audit entry is written in
// the same transaction.
func RevokeDevice(ctx context.Context, st Store, id string, by Actor, now time.Time) (Device, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return Device{}, fmt.Errorf("name the device to revoke (its id, from safeer-hq devices)")
	}
	devs, err := st.Devices(ctx)
	if err != nil {
		return Device{}, err
	}
	var match []Device
	for _, d := range devs {
		if d.ID == id {
			match = []Device{d}
			break
		}
		if strings.HasPrefix(d.ID, id) {
			match = append(match, d)
		}
	}
	switch len(match) {
	case 0:
		return Device{}, fmt.Errorf("no device %q (safeer-hq devices lists them)", id)
	case 1:
	default:
		return Device{}, fmt.Errorf("%q is the start of %d device ids: give more of it", id, len(match))
	}
	var dev Device
	err = st.Write(ctx, func(tx Tx) error {
		d, found, err := tx.Device(ctx, match[0].ID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no device %q", match[0].ID)
		}
		detail := fmt.Sprintf("%s; governorates %s", d.Name, strings.Join(d.Governorates, ", "))
		if d.Revoked() {
			detail += "; already revoked " + d.RevokedAt.UTC().Format(time.RFC3339)
		} else {
			d.RevokedAt = now.UTC()
			if err := tx.PutDevice(ctx, d); err != nil {
				return err
			}
		}
		dev = d
		return tx.AddAudit(ctx, by.entry(now, "device.revoke", d.ID, detail))
	})
	return dev, err
}

// ResetEpoch gives the database a new random epoch, with its audit entry
// in the same transaction, and returns it: every device's cursor becomes
// invalid, and each pushes its changes, then pulls everything again (after
// HQ's database is restored from a backup).
func ResetEpoch(ctx context.Context, st Store, by Actor, now time.Time) (string, error) {
	epoch, err := NewEpoch()
	if err != nil {
		return "", err
	}
	old, err := st.Meta(ctx)
	if err != nil {
		return "", err
	}
	err = st.Write(ctx, func(tx Tx) error {
		if err := tx.SetEpoch(ctx, epoch); err != nil {
			return err
		}
		return tx.AddAudit(ctx, by.entry(now, "epoch.reset", epoch,
			fmt.Sprintf("was %s; every device pushes, then pulls everything again"+epochNote, old.Epoch, old.Seq)))
	})
	if err != nil {
		return "", err
	}
	return epoch, nil
}
