const config = await (await fetch('config.json')).json();
document.getElementById('out').textContent = config.greeting;
