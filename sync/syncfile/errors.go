package syncfile

import (
	"fmt"

	"github.com/oman-sca/safeer/message"
)

// Codes of the errors Open returns (the message codes of the catalogue).
const (
	NotSyncFile    message.Code = "syncfile.not_sync_file"   // not a sync file at all
	Truncated      message.Code = "syncfile.truncated"       // cut short (copy not finished, stick pulled out)
	Damaged        message.Code = "syncfile.damaged"         // bytes changed (or cut inside its last block)
	WrongRecipient message.Code = "syncfile.wrong_recipient" // for another device, or another HQ
	UnknownAuthor  message.Code = "syncfile.unknown_author"  // signed by no device this side knows
	RevokedAuthor  message.Code = "syncfile.revoked_author"  // from a revoked device
	BadSignature   message.Code = "syncfile.bad_signature"   // the signature is not its author's
	NewerVersion   message.Code = "syncfile.newer_version"   // written by a newer Safeer
	Malformed      message.Code = "syncfile.malformed"       // signed-looking, but not laid out as ours
	TooLarge       message.Code = "syncfile.too_large"
	NotRequest     message.Code = "syncfile.not_request" // a reply where a request was expected
	NotReply       message.Code = "syncfile.not_reply"   // a request where a reply was expected
	LookupFailed   message.Code = "syncfile.lookup_failed"
	ReadFailed     message.Code = "syncfile.read_failed"
)

// Error is why a sync file was refused: Code says what is wrong, Message
// says it in English and Arabic, Err is the cause underneath, if any (for
// logs; it never holds the file's content).
type Error struct {
	Msg message.Message
	Err error
}

// Code is the error's code, one of the constants above.
func (e *Error) Code() message.Code { return e.Msg.Code }

// Message makes *Error a message.Carrier.
func (e *Error) Message() message.Message { return e.Msg }

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%v)", e.Msg.English(), e.Err)
	}
	return e.Msg.English()
}

func (e *Error) Unwrap() error { return e.Err }

func fail(err error, m message.Message) *Error { return &Error{Msg: m, Err: err} }

// The messages, each with its code written out once, where the
// catalogue's test finds it.
func msgNotSyncFile() message.Message    { return message.New("syncfile.not_sync_file") }
func msgTruncated() message.Message      { return message.New("syncfile.truncated") }
func msgDamaged() message.Message        { return message.New("syncfile.damaged") }
func msgWrongRecipient() message.Message { return message.New("syncfile.wrong_recipient") }
func msgMalformed() message.Message      { return message.New("syncfile.malformed") }
func msgTooLarge() message.Message {
	return message.New("syncfile.too_large", message.Int("mb", int(maxFileBytes>>20)))
}
func msgNotRequest() message.Message { return message.New("syncfile.not_request") }
func msgNotReply() message.Message   { return message.New("syncfile.not_reply") }
func msgRead() message.Message       { return message.New("syncfile.read_failed") }
func msgNewerVersion(v int) message.Message {
	return message.New("syncfile.newer_version", message.Int("version", v), message.Int("supported", Version))
}
func msgUnknownAuthor(a string) message.Message {
	return message.New("syncfile.unknown_author", message.Latin("device", a))
}
func msgRevokedAuthor(a string) message.Message {
	return message.New("syncfile.revoked_author", message.Latin("device", a))
}
func msgBadSignature(a string) message.Message {
	return message.New("syncfile.bad_signature", message.Latin("device", a))
}
func msgLookupFailed(a string) message.Message {
	return message.New("syncfile.lookup_failed", message.Latin("device", a))
}
