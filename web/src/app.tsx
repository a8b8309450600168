// The views. State lives in Auth (api.ts) and Chat (chat.ts); components read
// it and call their actions. data-testid attributes are the browser test's
// handles (tests/browser/): keep them stable.
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { Auth } from './api.js';
import { Chat, type Message, type OpenConversation } from './chat.js';

/** Re-renders the component whenever `source` reports a change. */
function useUpdates(source: { subscribe(listener: () => void): () => void }) {
  const [, rerender] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => source.subscribe(rerender), [source]);
}

export function App({ auth }: { auth: Auth }) {
  useUpdates(auth);
  const session = auth.session;
  const [chat, setChat] = useState<Chat | null>(null);
  const userId = session?.user.id ?? null;

  // One Chat (one WebSocket) per signed-in user; a token refresh keeps it.
  useEffect(() => {
    if (!userId) return;
    const next = new Chat(auth);
    setChat(next);
    return () => {
      next.stop();
      setChat(null);
    };
  }, [auth, userId]);

  if (!session) return <SignIn auth={auth} />;
  if (!chat) return null;
  return <ChatView auth={auth} chat={chat} />;
}

function SignIn({ auth }: { auth: Auth }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(action: 'logIn' | 'signUp') {
    setBusy(true);
    setError(null);
    try {
      await auth[action](username.trim(), password);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <h1>Messaging</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit('logIn');
        }}
      >
        <label>
          Username
          <input data-testid="auth-username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input
            data-testid="auth-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="submit" data-testid="login-button" disabled={busy}>
            Log in
          </button>
          <button type="button" data-testid="signup-button" disabled={busy} onClick={() => void submit('signUp')}>
            Sign up
          </button>
        </div>
        <p class="hint">New here? Choose a username (3-32 letters, digits, _ . -) and a password of 8+ characters, then Sign up.</p>
      </form>
    </main>
  );
}

function ChatView({ auth, chat }: { auth: Auth; chat: Chat }) {
  useUpdates(chat);
  const { conversations, conversationsLoaded, open, typing, connection, error } = chat.state;
  return (
    <div class="chat">
      <header>
        <strong>Messaging</strong>
        <span class={`connection ${connection}`} data-testid="connection" title="Live updates">
          {connection === 'live' ? 'live' : connection === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
        <span class="viewer" data-testid="viewer">
          {auth.session?.user.username}
        </span>
        <button type="button" data-testid="logout-button" onClick={() => void auth.logOut()}>
          Log out
        </button>
      </header>
      {error && (
        <p class="error banner" role="alert" data-testid="error">
          {error}{' '}
          <button type="button" onClick={() => chat.dismissError()}>
            Dismiss
          </button>
        </p>
      )}
      <nav>
        <NewDirect chat={chat} />
        <ul class="conversations" data-testid="conversation-list">
          {conversations.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class={open?.id === c.id ? 'selected' : ''}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                onClick={() => void chat.open(c.id)}
              >
                <span class="title" data-testid="conversation-title">
                  {c.title}
                </span>
                {c.unreadCount > 0 && (
                  <span class="badge" data-testid="unread-badge" aria-label={`${c.unreadCount} unread`}>
                    {c.unreadCount}
                  </span>
                )}
                {c.lastMessage && (
                  <span class="preview">
                    {c.lastMessage.author.username}: {c.lastMessage.content}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
        {conversationsLoaded && conversations.length === 0 && <p class="hint">No conversations yet: start one above.</p>}
      </nav>
      <section class="conversation">
        {open ? (
          <Conversation key={open.id} chat={chat} open={open} typing={typing[open.id] ?? []} viewerId={auth.session?.user.id ?? ''} />
        ) : (
          <p class="hint">Pick a conversation, or start one with a username.</p>
        )}
      </section>
    </div>
  );
}

function NewDirect({ chat }: { chat: Chat }) {
  const [username, setUsername] = useState('');
  return (
    <form
      class="new-direct"
      onSubmit={async (event) => {
        event.preventDefault();
        if (username.trim() && (await chat.openDirect(username.trim()))) setUsername('');
      }}
    >
      <input
        data-testid="direct-username"
        placeholder="Message a username"
        aria-label="Username to message"
        value={username}
        onInput={(e) => setUsername(e.currentTarget.value)}
      />
      <button type="submit" data-testid="direct-open">
        Open
      </button>
    </form>
  );
}

/** Keyed by conversation id: a new conversation starts with fresh scroll state and an empty composer. */
function Conversation({ chat, open, typing, viewerId }: { chat: Chat; open: OpenConversation; typing: string[]; viewerId: string }) {
  const list = useRef<HTMLOListElement>(null);
  // Stay pinned to the newest message unless the reader scrolled up; keep the
  // view still when older messages are added above.
  const pinned = useRef(true);
  const fromBottom = useRef(0);
  const remember = () => {
    const el = list.current;
    if (!el) return;
    fromBottom.current = el.scrollHeight - el.scrollTop;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    el.scrollTop = pinned.current ? el.scrollHeight : el.scrollHeight - fromBottom.current;
  }, [open.messages]);

  return (
    <div class="conversation-view" data-testid="conversation-view" data-conversation-id={open.id}>
      <h2 data-testid="conversation-heading">{open.title}</h2>
      <ol class="messages" ref={list} onScroll={remember} data-testid="messages">
        {open.hasOlder && (
          <li class="older">
            <button type="button" data-testid="load-older" disabled={open.loading} onClick={() => void chat.loadOlder()}>
              {open.loading ? 'Loading…' : 'Load older messages'}
            </button>
          </li>
        )}
        {open.messages.map((message) => (
          <MessageItem key={message.id} chat={chat} message={message} own={message.author.id === viewerId} />
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {typing.length === 1 ? `${typing[0]} is typing…` : typing.length > 1 ? `${typing.join(', ')} are typing…` : ''}
      </p>
      <Composer chat={chat} />
    </div>
  );
}

function MessageItem({ chat, message, own }: { chat: Chat; message: Message; own: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const created = new Date(message.createdAt);
  const time =
    created.toDateString() === new Date().toDateString()
      ? created.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : created.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <li class={own ? 'message own' : 'message'} data-testid="message" data-message-id={message.id}>
      <div class="meta">
        <span class="author" data-testid="message-author">
          {message.author.username}
        </span>{' '}
        <time dateTime={message.createdAt}>{time}</time>
        {message.edited && <span class="edited"> (edited)</span>}
      </div>
      {draft === null ? (
        <div class="content" data-testid="message-content">
          {message.content}
        </div>
      ) : (
        <form
          class="edit"
          onSubmit={async (event) => {
            event.preventDefault();
            if (await chat.edit(message.id, draft)) setDraft(null);
          }}
        >
          <input data-testid="edit-input" aria-label="Edit message" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" data-testid="edit-save">
            Save
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </form>
      )}
      {own && draft === null && (
        <div class="actions">
          <button type="button" data-testid="edit-message" onClick={() => setDraft(message.content)}>
            Edit
          </button>
          <button type="button" data-testid="delete-message" onClick={() => void chat.remove(message.id)}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

function Composer({ chat }: { chat: Chat }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  return (
    <form
      class="composer"
      onSubmit={async (event) => {
        event.preventDefault();
        const content = text.trim();
        if (!content || sending) return;
        setSending(true);
        if (await chat.send(content)) setText('');
        setSending(false);
      }}
    >
      <input
        data-testid="composer-input"
        placeholder="Write a message"
        aria-label="Message"
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          chat.typing();
        }}
      />
      <button type="submit" data-testid="composer-send" disabled={sending || !text.trim()}>
        Send
      </button>
    </form>
  );
}
