import { render } from 'preact';
import { Auth } from './api.js';
import { App } from './app.js';
import './style.css';

render(<App auth={new Auth()} />, document.getElementById('app')!);
