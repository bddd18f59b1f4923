"""Deterministic test doubles: scripted examinees, scripted judges, a loopback OpenAI server.

* :mod:`~adaem_tasks.testing.personas` -- examinees with planted value profiles
  (``power``, ``saturating-tradition``, ``markdown-power``, ``refuser`` ...).
* :mod:`~adaem_tasks.testing.judges` -- ``keyword`` / ``garbage`` / ``flaky`` / ``obedient`` judges;
  :mod:`~adaem_tasks.testing.injections` -- prompt-injection strings and the fenced Listing 4 control.
* :mod:`~adaem_tasks.testing.dispatch` -- one ``respond(model_name, prompt)`` for both.
* :mod:`~adaem_tasks.testing.providers` -- Inspect providers ``adaem-persona/<spec>`` and
  ``adaem-judge/<kind>`` (registered on import; ``adaem_tasks._registry`` imports it).
* :mod:`~adaem_tasks.testing.openai_server` -- the same models behind a loopback
  OpenAI-compatible HTTP server with fault injection.
* :mod:`~adaem_tasks.testing.generator_handlers` -- scripted answers to the generator's prompts.

Nothing here touches the network beyond 127.0.0.1 or downloads anything.
"""
